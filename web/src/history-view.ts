/** Sync history: recent runs with their results, per company before → after, and a Temporal UI link. */
import { api, type SyncRun } from './api.ts';
import { fmtDate, h, replace } from './dom.ts';
import { path } from './paths.ts';

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
      h('td', {}, h('span', { class: `status s-${r.status}` }, r.status)),
      h('td', {}, `${r.done}/${r.total}${r.failed ? `, ${r.failed} failed` : ''}`),
      h('td', {}, String(r.unitsChanged)),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => void show(r.id) }, 'Details'), r.temporalUiUrl ? h('a', { href: r.temporalUiUrl, target: '_blank', rel: 'noopener' }, 'Temporal UI') : null))));
  }

  async function show(runId: string) {
    const run = await api<SyncRun>('GET', path`/v1/partners/${pid}/sync-runs/${runId}`);
    replace(details,
      h('h3', {}, `Run of ${fmtDate(run.startedAt)} — billing month ${run.billingMonth ?? '—'}, effective ${run.effectiveDate ?? '—'}`),
      run.detail ? h('p', { class: 'muted' }, run.detail) : null,
      h('div', { class: 'scroll' }, h('table', { class: 'results' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Company'), h('th', {}, 'Product'), h('th', {}, 'Before → after'), h('th', {}, 'Status'), h('th', {}, 'Detail'))),
        h('tbody', {}, ...(run.results ?? []).map((r) => h('tr', {},
          h('td', {}, r.pbCompanyId), h('td', {}, r.productId || '—'),
          h('td', {}, r.unitsBefore === null ? '—' : `${r.unitsBefore} → ${r.unitsAfter ?? '?'}`),
          h('td', {}, h('span', { class: `status s-${r.status}` }, r.status)), h('td', {}, r.detail ?? '')))))));
  }

  replace(card, h('h2', { id: 'hi-title' }, 'Sync history'),
    h('div', { class: 'scroll' }, h('table', { class: 'runs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Trigger'), h('th', {}, 'Started'), h('th', {}, 'Duration'), h('th', {}, 'Result'), h('th', {}, 'Companies'), h('th', {}, 'Units changed'), h('th', {}, h('span', { class: 'sr-only' }, 'Links')))),
      tbody)), details);
  void load();
  return { element: card, refresh: () => void load() };
}
