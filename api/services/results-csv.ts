/**
 * A run's results as CSV (RFC 4180: comma-separated, CRLF line ends, a field with a comma, quote
 * or line break quoted and its quotes doubled), for the MSP's billing review in a spreadsheet.
 *
 * Company names and details come from Password Boss and Autotask, not from us: a text cell that
 * starts with = + - @ (or a tab or carriage return), also behind white space or as the full-width
 * sign, would run as a formula when the file is opened, so it gets a leading apostrophe. Where ";"
 * is the list separator (most of Europe) a spreadsheet splits every line at each ";" and a quote
 * that is not at the start of such a cell quotes nothing, so text after a ";" starts a cell of its
 * own in any column: a formula sign there gets an apostrophe after the ";". Numbers we format
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

/** A formula sign, ASCII or full-width, behind any white space. */
const formulaAhead = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;
/**
 * Where ';' separates cells, a quote mid-line quotes nothing, so a semicolon or a line break inside
 * a quoted value starts a new cell there: a formula sign after either is defused too.
 */
const formulaAfterBreak = /([;\r\n])(?=[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/g;

function text(value: string | null): string {
  if (value === null) return '';
  const led = /^[\t\r]/.test(value) || formulaAhead.test(value) ? `'${value}` : value;
  const safe = led.replace(formulaAfterBreak, "$1'");
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
