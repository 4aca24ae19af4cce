/**
 * Match suggestions and bulk confirm (issue 17): the companies still to map, each with its
 * suggested Autotask company and contract and why; the MSP ticks the ones that are right and
 * confirms them in one action. Nothing is mapped until then. Each row shows its own outcome.
 */
import { api, type BulkResult, type Suggestion } from './api.ts';
import type { CompanyTypeFilter } from './company-types.ts';
import { h, replace } from './dom.ts';
import { path } from './paths.ts';

type Candidate = Suggestion['candidates'][number];
const LIMIT = 500;

export function suggestionsView(pid: string, types: CompanyTypeFilter, onMapped: () => void): { element: HTMLElement; load: () => Promise<void> } {
  const host = h('div', { class: 'suggestions', 'aria-live': 'polite' });
  const summary = h('p', { class: 'muted', role: 'status' });
  let rows: Array<{ item: Suggestion; box: HTMLInputElement; pick: () => Candidate; result: HTMLElement }> = [];
  const confirm = h('button', { type: 'button', onclick: () => void confirmSelected() }, 'Confirm selected');
  const countSelected = () => {
    const n = rows.filter((r) => r.box.checked).length;
    confirm.textContent = `Confirm selected (${n})`;
    confirm.disabled = n === 0;
  };

  function row(item: Suggestion) {
    const first = item.candidates[0]!;
    const label = `Confirm ${item.pbCompanyName}`;
    // Only an exact name with a proposed contract is ticked up front; a fuzzy one needs a look.
    const box = h('input', { type: 'checkbox', 'aria-label': label, checked: first.match === 'exact' && first.contract !== null, disabled: first.contract === null, onchange: countSelected });
    const contractCell = h('td', { 'data-label': 'Contract' });
    const matchCell = h('td', { 'data-label': 'Why' });
    const select = item.candidates.length > 1 ? h('select', { 'aria-label': `Autotask company for ${item.pbCompanyName}` }, ...item.candidates.map((c, i) => h('option', { value: String(i) }, c.autotaskCompany.name))) : null;
    const pick = () => item.candidates[select ? Number(select.value) : 0]!;
    const show = () => {
      const c = pick();
      replace(matchCell, h('span', { class: `tag match-${c.match}` }, c.match === 'exact' ? 'Exact' : `${Math.round(c.score * 100)}% similar`), h('div', { class: 'small muted' }, c.reason));
      replace(contractCell, c.contract ? c.contract.name : h('span', { class: 'small warn-text' }, c.contractNote ?? 'No contract proposed'));
      box.disabled = c.contract === null;
      if (box.disabled) box.checked = false;
      countSelected();
    };
    select?.addEventListener('change', show);
    const result = h('td', { class: 'small nowrap', 'data-label': 'Result' });
    const tr = h('tr', { 'data-suggestion': item.pbCompanyId },
      h('td', {}, box),
      h('td', {}, item.pbCompanyName, item.active ? null : h('span', { class: 'tag' }, 'inactive')),
      h('td', { 'data-label': 'Autotask company' }, select ?? first.autotaskCompany.name),
      matchCell, contractCell, result);
    rows.push({ item, box, pick, result });
    show();
    return tr;
  }

  async function load() {
    replace(host, h('p', { class: 'muted' }, 'Looking for matches…'));
    try {
      const qs = new URLSearchParams({ companyTypes: types.value().join(','), limit: String(LIMIT) });
      const page = await api<{ items: Suggestion[]; total: number; unmatched: number }>('GET', `${path`/v1/partners/${pid}/company-mappings/suggestions`}?${qs}`);
      rows = [];
      const exact = page.items.filter((i) => i.candidates[0]!.match === 'exact').length;
      summary.textContent = page.total
        ? `${page.total} ${page.total === 1 ? 'company has' : 'companies have'} a suggested match (${exact} exact)${page.total > LIMIT ? `; showing the first ${LIMIT}` : ''}. ${page.unmatched} without a match: map those by hand.`
        : `No suggestions: ${page.unmatched} ${page.unmatched === 1 ? 'company is' : 'companies are'} still to map by hand.`;
      if (!page.total) return replace(host, summary);
      const tbody = h('tbody', {}, ...page.items.map(row));
      countSelected();
      replace(host, summary,
        h('div', { class: 'scroll' }, h('table', { class: 'suggestions-table companies' },
          h('caption', { class: 'sr-only' }, 'Suggested matches'),
          h('thead', {}, h('tr', {}, h('th', {}, h('span', { class: 'sr-only' }, 'Confirm')), h('th', {}, 'Password Boss company'), h('th', {}, 'Suggested Autotask company'), h('th', {}, 'Why'), h('th', {}, 'Contract'), h('th', {}, 'Result'))),
          tbody)),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', onclick: () => { for (const r of rows) if (!r.box.disabled && !r.result.dataset.done) r.box.checked = true; countSelected(); } }, 'Select all with a contract'),
          h('button', { type: 'button', class: 'secondary', onclick: () => { for (const r of rows) r.box.checked = false; countSelected(); } }, 'Clear'),
          confirm));
    } catch (err) {
      replace(host, h('p', { class: 'result bad', role: 'alert' }, `✗ ${(err as Error).message}`));
    }
  }

  async function confirmSelected() {
    const chosen = rows.filter((r) => r.box.checked);
    if (!chosen.length) return;
    confirm.disabled = true;
    const items = chosen.map((r) => ({ pbCompanyId: r.item.pbCompanyId, autotaskCompanyId: r.pick().autotaskCompany.id, autotaskContractId: r.pick().contract!.id }));
    try {
      const answer = await api<{ results: BulkResult[]; saved: number; failed: number }>('POST', path`/v1/partners/${pid}/company-mappings/bulk`, { items });
      const byId = new Map(answer.results.map((r) => [r.pbCompanyId, r]));
      for (const r of chosen) {
        const res = byId.get(r.item.pbCompanyId);
        const ok = res?.status === 200;
        r.result.dataset.done = ok ? 'ok' : 'failed';
        r.result.className = `small ${ok ? 'ok-text nowrap' : 'bad'}`;
        r.result.textContent = ok ? '✓ Mapped' : `✗ ${res?.error?.message ?? 'not saved'}`;
        r.box.checked = false;
        if (ok) r.box.disabled = true;
      }
      summary.textContent = `✓ ${answer.saved} mapped${answer.failed ? `; ✗ ${answer.failed} not saved — each row says why` : ''}.`;
      countSelected();
      onMapped();
    } catch (err) {
      summary.textContent = `✗ ${(err as Error).message}`;
      countSelected();
    }
  }

  return { element: host, load };
}
