/**
 * Names for a run's result rows, so the portal reads "Acme Corp · Password Boss Standard" rather
 * than `c-0008` and `pb-standard`. Names come from what the partner's mappings hold now; a
 * contract or service the company no longer uses has no name there and stays null (the portal
 * then shows its id).
 */
export interface NameSources {
  products: ReadonlyMap<string, string>;
  services: ReadonlyMap<number, string>;
}

export interface NamedRowInput {
  productId: string;
  autotaskContractId: number | null;
  autotaskServiceId: number | null;
  pbCompanyName: string | null;
  companyContractId: number | null;
  companyContractName: string | null;
}

export interface ResultNames {
  pbCompanyName: string | null;
  productName: string | null;
  serviceName: string | null;
  contractName: string | null;
}

export function resultNames(row: NamedRowInput, names: NameSources): ResultNames {
  // Products that share a service are recorded as one row, their ids joined by '+'.
  const productName = row.productId ? row.productId.split('+').map((id) => names.products.get(id) ?? id).join(' + ') : null;
  return {
    pbCompanyName: row.pbCompanyName,
    productName,
    serviceName: row.autotaskServiceId === null ? null : names.services.get(row.autotaskServiceId) ?? null,
    contractName: row.autotaskContractId !== null && row.autotaskContractId === row.companyContractId ? row.companyContractName : null,
  };
}
