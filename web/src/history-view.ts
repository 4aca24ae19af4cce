/** Sync history: recent runs with their results, per company before → after, and a Temporal UI link. */
import { api, session, type SyncRun } from './api.ts';
import { fmtDate, h, replace } from './dom.ts';
import { path } from './paths.ts';

type Result = NonNullable<SyncRun['results']>[number];

const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(2)}`;

/** Moves, releases and stops in a sentence: where the units went and why (docs/design.md rule 8b). */
function moveInWords(r: Result): string | null {
  const what = `${r.productId || 'billing'}`;
  const where = `service ${r.autotaskServiceId} on contract #${r.autotaskContractId}`;
  const done = r.action === 'would_set' ? 'would be set to 0' : r.status === 'ok' ? 'set to 0' : 'not set to 0 (see the error)';
  switch (r.reason) {
    case 'moved_service': return `${what} moved to another service: ${where} ${done}`;
    case 'moved_contract': return `${r.pbCompanyId} moved to another contract: ${where} ${done}`;
    case 'released': return `${r.pbCompanyId} released: ${where} ${done}`;
  }
  return r.action === 'left_behind' ? `${what} is no longer billed: ${where} keeps ${r.unitsAfter} units` : null;
}

const duration = (r: SyncRun) => (r.finishedAt ? `${((new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime()) / 1000).toFixed(1)} s` : 'running');

export function historyView(pid: string): { element: HTMLElement; refresh: () => void } {
  const card = h('section', { class: 'card', 'aria-labelledby': 'hi-title' });
  const tbody = h('tbody');
  const details = h('div', { class: 'run-details' });

  async function load() {
    const runs = (await api<{ items: SyncRun[] }>('GET', `${path`/v1/partners/${pid}/sync-runs`}?limit=10`)).items;
    replace(tbody, ...runs.map((r) => h('tr', {},
      h('td', {}, r.trigger, r.dryRun ? h('span', { class: 'tag' }, 'dry run') : null),
      h('td', { class: 'nowrap' }, fmtDate(r.startedAt)),
      h('td', {}, duration(r)),
      h('td', {}, h('span', { class: `status s-${r.status}` }, r.status),
        r.paced && r.pacedUntil ? h('div', { class: 'muted' }, `paced: waiting for the Autotask hourly budget, resumes ${fmtDate(r.pacedUntil)}`) : null),
      h('td', {}, `${r.done}/${r.total}${r.failed ? `, ${r.failed} failed` : ''}`),
      h('td', {}, String(r.unitsChanged)),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => void show(r.id) }, 'Details'), r.temporalUiUrl ? h('a', { href: r.temporalUiUrl, target: '_blank', rel: 'noopener' }, 'Temporal UI') : null))));
  }

  async function show(runId: string) {
    const run = await api<SyncRun>('GET', path`/v1/partners/${pid}/sync-runs/${runId}`);
    const results = run.results ?? [];
    const moves = results.map(moveInWords).filter((m): m is string => m !== null);
    const money = run.amountChange === undefined ? null
      : `Invoices change by ${signed(run.amountChange)}${run.unpricedChanges ? ` (plus ${run.unpricedChanges} change${run.unpricedChanges === 1 ? '' : 's'} whose unit price Autotask sets when it adds the service)` : ''}`;
    replace(details,
      h('h3', {}, `Run of ${fmtDate(run.startedAt)} — billing month ${run.billingMonth ?? '—'}, effective ${run.effectiveDate ?? '—'}`),
      run.detail ? h('p', { class: 'muted' }, run.detail) : null,
      money ? h('p', { class: 'amount' }, money, ' ', h('button', { type: 'button', class: 'link', onclick: () => void downloadCsv(runId) }, 'Download CSV')) : null,
      moves.length ? h('ul', { class: 'moves' }, ...moves.map((m) => h('li', {}, m))) : null,
      h('div', { class: 'scroll' }, h('table', { class: 'results' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Company'), h('th', {}, 'Product'), h('th', {}, 'Before → after'), h('th', {}, 'Amount'), h('th', {}, 'Status'), h('th', {}, 'Detail'))),
        h('tbody', {}, ...results.map((r) => h('tr', {},
          h('td', {}, r.pbCompanyId), h('td', {}, r.productId || '—'),
          h('td', {}, r.unitsBefore === null ? '—' : `${r.unitsBefore} → ${r.unitsAfter ?? '?'}`),
          h('td', { class: 'nowrap' }, r.amountChange === null ? '—' : signed(r.amountChange)),
          h('td', {}, h('span', { class: `status s-${r.status}` }, r.status)), h('td', {}, r.detail ?? '')))))));
  }

  /** The CSV needs the key, so it is fetched and handed to the browser as a file. */
  async function downloadCsv(runId: string) {
    const res = await fetch(path`/v1/partners/${pid}/sync-runs/${runId}/results.csv`, { headers: { authorization: `Bearer ${session.key ?? ''}` } });
    if (!res.ok) return;
    const link = h('a', { href: URL.createObjectURL(await res.blob()), download: `sync-run-${runId}.csv` });
    link.click();
    URL.revokeObjectURL(link.href);
  }

  replace(card, h('h2', { id: 'hi-title' }, 'Sync history'),
    h('div', { class: 'scroll' }, h('table', { class: 'runs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Trigger'), h('th', {}, 'Started'), h('th', {}, 'Duration'), h('th', {}, 'Result'), h('th', {}, 'Companies'), h('th', {}, 'Units changed'), h('th', {}, h('span', { class: 'sr-only' }, 'Links')))),
      tbody)), details);
  void load();
  return { element: card, refresh: () => void load() };
}
