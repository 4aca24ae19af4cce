/**
 * A company's units over time in a dialog: the chart, a sentence for screen readers, and the same
 * numbers as a table (the text alternative), from `GET …/billing-ledger?pbCompanyId=`.
 */
import { api, type CompanyRow, type LedgerEntry, type Service } from './api.ts';
import { h, replace, uid } from './dom.ts';
import { path } from './paths.ts';
import { describeSeries, unitsChart, unitSeries } from './units-chart.ts';

export function openUnits(pid: string, company: CompanyRow, host: HTMLElement) {
  const titleId = uid('units');
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading the billing history…'));
  const opener = document.activeElement as HTMLElement | null;
  const close = () => {
    replace(host);
    opener?.focus();
  };
  const done = h('button', { type: 'button', class: 'secondary', onclick: close }, 'Close');
  const dialog = h('div', { class: 'dialog wide', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Escape') close(); } },
    h('h3', { id: titleId }, `Units over time: ${company.pbCompanyName}`), body, h('div', { class: 'actions' }, done));
  replace(host, h('div', { class: 'backdrop' }, dialog));
  done.focus();
  void (async () => {
    try {
      const [ledger, services] = await Promise.all([
        api<{ items: LedgerEntry[] }>('GET', `${path`/v1/partners/${pid}/billing-ledger`}?${new URLSearchParams({ pbCompanyId: company.pbCompanyId, limit: '1000' })}`),
        api<{ items: Service[] }>('GET', path`/v1/partners/${pid}/autotask/services`).catch(() => ({ items: [] as Service[] })),
      ]);
      const names = new Map(services.items.map((s) => [s.id, s.name]));
      const series = unitSeries(ledger.items, (id) => names.get(id) ?? `Service #${id}`);
      if (!series.length) return replace(body, h('p', { class: 'muted' }, 'No units billed yet: the chart appears after the first sync that sets units for this company.'));
      const descId = uid('units-desc');
      const chart = unitsChart(series, titleId);
      chart.setAttribute('aria-describedby', descId);
      const months = series[0]!.points.map((p) => p.month);
      const table = h('table', { class: 'units-table' },
        h('caption', {}, 'Units billed per month (the same numbers as the chart; — before the service first billed)'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Month'), ...series.map((s) => h('th', { scope: 'col' }, s.name)))),
        h('tbody', {}, ...months.map((m, i) => h('tr', {}, h('th', { scope: 'row' }, m), ...series.map((s) => {
          const p = s.points[i]!;
          if (p.units === null) return h('td', { class: 'muted' }, '—');
          return h('td', {}, String(p.units), p.written ? null : h('span', { class: 'muted small' }, ' (unchanged)'));
        })))));
      replace(body, h('figure', { class: 'units-figure' }, chart, h('figcaption', { id: descId, class: 'small muted' }, describeSeries(series))), table);
    } catch (err) {
      replace(body, h('p', { class: 'result bad', role: 'alert' }, `✗ ${(err as Error).message}`));
    }
  })();
}
