/**
 * A run's results as CSV (RFC 4180: comma-separated, CRLF line ends, a field with a comma, quote
 * or line break quoted and its quotes doubled), for the MSP's billing review in a spreadsheet.
 *
 * Company names and details come from Password Boss and Autotask, not from us: a text cell that
 * starts with = + - @ (or a tab or carriage return) would run as a formula when the file is
 * opened, so it gets a leading apostrophe (and a cell with a semicolon is quoted: where ";" is
 * the list separator, the text after it would start a cell of its own). Numbers we format
 * ourselves are left as numbers, so a negative amount stays summable.
 */
export interface CsvResultRow {
  pbCompanyId: string;
  pbCompanyName: string | null;
  autotaskContractId: number | null;
  autotaskServiceId: number | null;
  unitsBefore: number | null;
  unitsAfter: number | null;
  unitPrice: number | null;
  amountChange: number | null;
  adjustmentId: number | null;
  status: string;
  reason: string | null;
  detail: string | null;
}

export const csvHeader = ['company', 'company id', 'contract', 'service', 'units before', 'units after', 'unit price', 'amount change', 'adjustment id', 'status', 'reason', 'detail'] as const;

function text(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const num = (value: number | null) => (value === null ? '' : String(value));

export function resultsCsv(rows: readonly CsvResultRow[]): string {
  const lines = [csvHeader.map((h) => text(h)).join(',')];
  for (const r of rows) {
    lines.push(
      [
        text(r.pbCompanyName ?? r.pbCompanyId),
        text(r.pbCompanyId),
        num(r.autotaskContractId),
        num(r.autotaskServiceId),
        num(r.unitsBefore),
        num(r.unitsAfter),
        num(r.unitPrice),
        num(r.amountChange),
        num(r.adjustmentId),
        text(r.status),
        text(r.reason),
        text(r.detail),
      ].join(',')
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
