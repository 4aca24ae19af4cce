import { describe, expect, it } from 'vitest';
import { resultsCsv, type CsvResultRow } from '../../api/services/results-csv.ts';

const row = (over: Partial<CsvResultRow> = {}): CsvResultRow => ({
  pbCompanyId: 'c-1', pbCompanyName: 'Acme', autotaskContractId: 5001, autotaskServiceId: 301, unitsBefore: 10, unitsAfter: 0,
  unitPrice: 3.25, amountChange: -32.5, adjustmentId: 77, status: 'ok', reason: 'moved_service', detail: 'Standard: 10 → 0', ...over,
});

describe('results CSV', () => {
  it('writes RFC 4180: CRLF records, quotes doubled inside quoted fields, empty for null', () => {
    const csv = resultsCsv([row({ pbCompanyName: 'Acme, "East"', detail: 'line one\nline two', adjustmentId: null })]);
    expect(csv.split('\r\n')).toEqual([
      'company,company id,contract,service,units before,units after,unit price,amount change,adjustment id,status,reason,detail',
      '"Acme, ""East""",c-1,5001,301,10,0,3.25,-32.5,,ok,moved_service,"line one\nline two"',
      '',
    ]);
  });

  it('defuses text a spreadsheet would run as a formula, but keeps its own numbers numeric', () => {
    for (const evil of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx']) {
      const line = resultsCsv([row({ pbCompanyName: evil })]).split('\r\n')[1]!;
      expect(line.startsWith(`'`) || line.startsWith(`"'`), line).toBe(true);
    }
    expect(resultsCsv([row()]).split('\r\n')[1]).toContain(',-32.5,');
  });
  it('quotes a cell with a semicolon, so a spreadsheet splitting on ";" (most of Europe) starts no formula cell inside it', () => {
    const line = resultsCsv([row({ pbCompanyName: 'Acme;x' })]).split('\r\n')[1]!;
    expect(line.startsWith('"Acme;x",'), line).toBe(true);
  });
  it('defuses a formula after a semicolon in any column: read with ";" as the separator, a quote mid-line quotes nothing', () => {
    // `…,moved_service,"x;=cmd|' /C calc'!A0"` split on ";" gave the cell `=cmd|' /C calc'!A0"`:
    // the opening quote is not at the start of that reading's cell, so it is just a character.
    const dde = "=cmd|' /C calc'!A0";
    const line = resultsCsv([row({ pbCompanyName: `Acme;${dde}`, pbCompanyId: `c;+1`, detail: `Service; @SUM(1);\t-2` })]).split('\r\n')[1]!;
    const cells = line.split(';').slice(1);
    expect(cells.length, line).toBe(4);
    for (const cell of cells) expect(/^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell), `${cell} in ${line}`).toBe(false);
  });
  it('defuses a formula after a line break inside a value: read with ";" as the separator, the break ends the row there', () => {
    const csv = resultsCsv([row({ detail: "Autotask said:\n=cmd|' /C calc'!A0", pbCompanyName: 'Acme\r\n @SUM(1)' })]);
    const cells = csv.split(/[;\r\n]/);
    for (const cell of cells) expect(/^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell), `${JSON.stringify(cell)} in ${JSON.stringify(csv)}`).toBe(false);
  });
  it('defuses a formula behind leading white space or a line break, and full-width formula signs', () => {
    for (const evil of [' =1+1', '\n=1+1', '  @SUM(A1)', '\u3000=1', '\uFF1D1+1', '\uFF0B1', '\r=1']) {
      const line = resultsCsv([row({ pbCompanyName: evil })]).split('\r\n').slice(1).join('\r\n');
      expect(line.startsWith(`'`) || line.startsWith(`"'`), JSON.stringify(line)).toBe(true);
    }
  });
});
