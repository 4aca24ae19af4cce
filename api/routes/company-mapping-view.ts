/** A company-mapping row as the API answers it, shared by the list, the single edits and bulk confirm. */
import { z } from 'zod';
import type { CompanyMappingRow } from '../../db/repositories/company-mappings.ts';
import { companyStatuses } from '../../sync/vocabulary.ts';

export const itemSchema = z
  .object({
    pbCompanyId: z.string(),
    pbCompanyName: z.string(),
    active: z.boolean(),
    mapped: z.boolean(),
    excluded: z.boolean(),
    autotaskCompany: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    contract: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    status: z.enum(companyStatuses),
    detail: z.string().nullable(),
    lastSyncAt: z.date().nullable(),
    lastRunId: z.string().nullable(),
  })
  .meta({ id: 'CompanyMapping' });
export type CompanyMappingView = z.output<typeof itemSchema>;

export function companyView(row: CompanyMappingRow): z.infer<typeof itemSchema> {
  return {
    pbCompanyId: row.pbCompanyId,
    pbCompanyName: row.pbCompanyName,
    active: row.pbCompanyActive,
    mapped: row.autotaskContractId !== null,
    excluded: row.excluded,
    autotaskCompany: row.autotaskCompanyId !== null ? { id: row.autotaskCompanyId, name: row.autotaskCompanyName } : null,
    contract: row.autotaskContractId !== null ? { id: row.autotaskContractId, name: row.autotaskContractName } : null,
    status: row.status,
    detail: row.detail,
    lastSyncAt: row.lastSyncAt,
    lastRunId: row.lastRunId,
  };
}
