/** The admin's overview: every partner with its last run, failing partners first (GET /v1/partners). */
import type { PartnerOverview } from './api.ts';
import { fmtDate, h } from './dom.ts';

export function partnersOverview(partners: PartnerOverview[], currentId: string, pick: (id: string) => void): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': 'po-title' },
    h('h2', { id: 'po-title' }, 'Sync overview'),
    h('div', { class: 'scroll' }, h('table', { class: 'runs partners' },
      h('thead', {}, h('tr', {}, h('th', {}, 'MSP'), h('th', {}, 'Last run'), h('th', {}, 'Finished'), h('th', {}, 'Companies'))),
      h('tbody', {}, ...partners.map((p) => h('tr', { 'data-partner-row': p.id },
        h('td', {}, p.id === currentId ? h('strong', {}, p.name) : h('button', { type: 'button', class: 'link', onclick: () => pick(p.id) }, p.name), h('span', { class: 'tag' }, p.id)),
        h('td', { 'data-label': 'Last run' }, p.lastRun ? h('span', { class: `status s-${p.lastRun.status}` }, p.lastRun.status) : h('span', { class: 'muted' }, 'never synced')),
        h('td', { class: 'nowrap', 'data-label': 'Finished' }, fmtDate(p.lastRun?.finishedAt)),
        h('td', { 'data-label': 'Companies' }, p.lastRun ? `${p.lastRun.total}${p.lastRun.failed ? `, ${p.lastRun.failed} failed` : ''}` : '—')))))));
}
