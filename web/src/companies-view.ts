/** Company mapping: every Password Boss company, its Autotask company and contract, Last Sync and Status. */
import { api, type AtCompany, type AtContract, type CompanyRow, type ProductMapping, type Stop } from './api.ts';
import { companyTypeFilter } from './company-types.ts';
import { field, fmtDate, h, replace } from './dom.ts';
import { leftBehindInWords } from './left-behind.ts';
import { returnFocus, trapFocus } from './modal.ts';
import { path } from './paths.ts';
import { suggestionsView } from './suggestions-view.ts';
import { openUnits } from './units-view.ts';

const STATUSES = ['never_synced', 'syncing', 'ok', 'warning', 'error', 'skipped', 'excluded'];
/** The "Show" filter: which query each choice sends. "unmapped" is what the counter opens. */
const SHOW: Record<string, [string, Record<string, string>]> = {
  all: ['All companies', {}],
  unmapped: ['Not mapped yet', { mapped: 'false', excluded: 'false' }],
  mapped: ['Mapped', { mapped: 'true' }],
  excluded: ['Excluded (billed by hand)', { excluded: 'true' }],
};
const PAGE = 50;

/** The two reads a load makes: the page of rows, and the "not mapped" counter. */
function listUrls(pid: string, q: { offset: number; search: string; status: string; show: string }): [string, string] {
  const qs = new URLSearchParams({ limit: String(PAGE), offset: String(q.offset) });
  if (q.search) qs.set('search', q.search);
  if (q.status) qs.set('status', q.status);
  for (const [k, v] of Object.entries(SHOW[q.show]![1])) qs.set(k, v);
  const list = path`/v1/partners/${pid}/company-mappings`;
  return [`${list}?${qs}`, `${list}?mapped=false&excluded=false&limit=1`];
}

/** The first load's reads, for the page to start while it still waits for the settings. */
export const firstListUrls = (pid: string) => listUrls(pid, { offset: 0, search: '', status: '', show: 'all' });

export function companiesView(pid: string): { element: HTMLElement; refresh: () => void } {
  const card = h('section', { class: 'card', 'aria-labelledby': 'cm-title' });
  const search = h('input', { type: 'search', placeholder: 'Search companies' });
  const status = h('select', {}, h('option', { value: '' }, 'All statuses'), ...STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  const show = h('select', {}, ...Object.entries(SHOW).map(([value, [label]]) => h('option', { value }, label)));
  const counter = h('p', { class: 'counter', role: 'status' });
  const types = companyTypeFilter(() => { if (suggestionsOpen) void suggestions.load(); });
  const suggestions = suggestionsView(pid, types, () => void load());
  let suggestionsOpen = false;
  let refreshed = false;
  const tools = h('details', { class: 'match-tools', ontoggle: () => { if (tools.open && !suggestionsOpen) void openSuggestions(); } },
    h('summary', {}, 'Suggested matches'),
    h('p', { class: 'muted small' }, 'Autotask companies whose names match the companies still to map. Nothing is mapped until you confirm.'),
    types.element, suggestions.element);
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  const editor = h('div', { class: 'editor-host' });
  let offset = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function load() {
    try {
      const [pageUrl, counterUrl] = listUrls(pid, { offset, search: search.value.trim(), status: status.value, show: show.value });
      const [page, unmapped] = await Promise.all([
        api<{ items: CompanyRow[]; total: number }>('GET', pageUrl),
        api<{ total: number }>('GET', counterUrl),
      ]);
      showCounter(unmapped.total);
      replace(tbody, ...page.items.map(row));
      replace(pager,
        h('span', {}, page.total ? `${offset + 1}–${Math.min(offset + PAGE, page.total)} of ${page.total}` : 'No companies'),
        h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); void load(); } }, 'Previous'),
        h('button', { type: 'button', class: 'secondary', disabled: offset + PAGE >= page.total, onclick: () => { offset += PAGE; void load(); } }, 'Next'));
    } catch (err) {
      replace(tbody, h('tr', {}, h('td', { colspan: 6, class: 'bad' }, (err as Error).message)));
    }
  }

  function showCounter(n: number) {
    counter.dataset.unmapped = String(n);
    const reread = h('button', { type: 'button', class: 'link', title: 'Companies created in Password Boss since the list was read appear', onclick: () => void refreshFromPasswordBoss(true) }, 'Re-read from Password Boss');
    replace(counter, n === 0
      ? h('span', {}, h('span', { class: 'ok-text' }, '✓ Every company is mapped or excluded.'), ' ', reread)
      : h('span', {}, h('strong', {}, `${n} ${n === 1 ? 'company' : 'companies'} not mapped`), ' — ',
        h('button', { type: 'button', class: 'link', onclick: () => { show.value = 'unmapped'; offset = 0; void load(); } }, 'Show them'),
        h('button', { type: 'button', class: 'link', onclick: () => void openSuggestions() }, 'Suggest matches'),
        reread));
  }

  async function openSuggestions() {
    suggestionsOpen = true;
    tools.open = true;
    await suggestions.load();
    suggestions.element.scrollIntoView({ block: 'nearest' });
  }

  /**
   * The list the API holds is re-read from Password Boss every 5 minutes; reading it once more when
   * the screen opens shows a company created a moment ago. A re-read costs the API one Password
   * Boss request per 500 companies and a pass over every row, so opening the page again within a
   * minute does not repeat it (the link under the counter does, on demand; the API throttles it).
   */
  async function refreshFromPasswordBoss(onDemand = false) {
    const key = `pbas.listReadAt.${pid}`;
    if (!onDemand && (refreshed || Date.now() - Number(sessionStorage.getItem(key) ?? 0) < 60_000)) return;
    refreshed = true;
    sessionStorage.setItem(key, String(Date.now()));
    try {
      await api('GET', `${path`/v1/partners/${pid}/company-mappings`}?refresh=true&limit=1`);
      await load();
    } catch (err) {
      if (onDemand) replace(counter, h('span', { class: 'bad' }, `✗ ${(err as Error).message}`));
    }
  }

  function row(c: CompanyRow): HTMLTableRowElement {
    return h('tr', { 'data-company': c.pbCompanyId },
      h('td', {}, c.pbCompanyName, c.active ? null : h('span', { class: 'tag' }, 'inactive')),
      h('td', { 'data-label': 'Autotask' }, c.autotaskCompany?.name ?? h('span', { class: 'muted' }, 'not mapped')),
      h('td', { 'data-label': 'Contract' }, c.contract?.name ?? '—'),
      h('td', { class: 'nowrap', 'data-label': 'Last Sync' }, fmtDate(c.lastSyncAt)),
      h('td', { 'data-label': 'Status' }, h('span', { class: `status s-${c.status}` }, c.status.replace('_', ' ')), c.detail && c.status !== 'ok' ? h('div', { class: 'detail' }, c.detail) : null),
      h('td', { class: 'nowrap' },
        h('button', { type: 'button', class: 'icon small', 'aria-label': `Units over time of ${c.pbCompanyName}`, title: 'Units over time', onclick: () => openUnits(pid, c, editor) }, 'Units'),
        h('button', { type: 'button', class: 'icon', 'aria-label': `Edit mapping of ${c.pbCompanyName}`, onclick: () => openEditor(c) }, '✎')));
  }

  function openEditor(c: CompanyRow) {
    const term = h('input', { type: 'search', placeholder: 'Search Autotask companies', value: c.autotaskCompany?.name ?? c.pbCompanyName.split(' ')[0] ?? '' });
    const companySelect = h('select', { size: 6 });
    const contractSelect = h('select', {}, h('option', { value: '' }, 'Pick a company first'));
    const message = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
    let contracts: AtContract[] = [];
    let searches = 0;
    const find = async () => {
      const mine = ++searches;
      const found = await api<{ items: AtCompany[] }>('GET', `${path`/v1/partners/${pid}/autotask/companies`}?${new URLSearchParams({ search: term.value, types: types.value().join(',') })}`);
      if (mine !== searches) return; // a newer search is under way
      const keep = Number(companySelect.value) || c.autotaskCompany?.id;
      replace(companySelect, ...found.items.map((a) => h('option', { value: String(a.id), selected: a.id === keep }, a.name)));
      if (companySelect.value) await loadContracts();
    };
    const loadContracts = async () => {
      contracts = (await api<{ items: AtContract[] }>('GET', path`/v1/partners/${pid}/autotask/companies/${companySelect.value}/contracts`)).items;
      const usable = contracts.filter((k) => k.recurring);
      const others = contracts.filter((k) => !k.recurring);
      const option = (k: AtContract) => h('option', { value: String(k.id), selected: k.id === c.contract?.id }, `${k.name}${k.endDate ? ` (ends ${k.endDate.slice(0, 10)})` : ''}`);
      // Other contracts are listed apart, so an MSP looking for one learns why it cannot be used.
      replace(contractSelect,
        ...(usable.length ? usable.map(option) : [h('option', { value: '' }, 'This company has no Recurring Service contract')]),
        others.length ? h('optgroup', { label: 'Other contracts — not Recurring Service, cannot be billed per unit' }, ...others.map(option)) : null);
    };
    term.addEventListener('change', () => void find());
    companySelect.addEventListener('change', () => void loadContracts());
    const opener = document.activeElement;
    const close = () => { replace(editor); returnFocus(opener, card); };
    const dialog = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'ed-title' },
      h('h3', { id: 'ed-title' }, `Map ${c.pbCompanyName}`),
      h('div', { class: 'field' }, h('label', { for: 'ed-term' }, 'Autotask company'), h('div', { class: 'row' }, Object.assign(term, { id: 'ed-term' }), h('button', { type: 'button', class: 'secondary', onclick: () => void find() }, 'Search'))),
      field('Matches', companySelect),
      field('Recurring Service contract', contractSelect, 'Only Recurring Service contracts can be billed per unit.'),
      message,
      h('div', { class: 'actions' },
        c.mapped ? h('button', { type: 'button', class: 'danger', onclick: async () => { showStop(await api<Stop>('DELETE', path`/v1/partners/${pid}/company-mappings/${c.pbCompanyId}`)); void load(); } }, 'Unmap') : null,
        // Excluding reuses the API's stop (docs/design.md rule 8b): it answers what stays billed.
        c.excluded
          ? h('button', { type: 'button', class: 'secondary', onclick: async () => { await api('PUT', path`/v1/partners/${pid}/company-mappings/${c.pbCompanyId}`, { excluded: false }); close(); void load(); } }, 'Include again')
          : h('button', { type: 'button', class: 'secondary', title: 'Billed by hand: never synced, no warning', onclick: async () => { showStop(await api<Stop>('PUT', path`/v1/partners/${pid}/company-mappings/${c.pbCompanyId}`, { excluded: true }), 'excluded'); void load(); } }, 'Exclude (billed by hand)'),
        h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'),
        h('button', { type: 'button', onclick: async () => {
          try {
            await api('PUT', path`/v1/partners/${pid}/company-mappings/${c.pbCompanyId}`, { autotaskCompanyId: Number(companySelect.value), autotaskContractId: Number(contractSelect.value) });
            close();
            void load();
          } catch (err) {
            message.className = 'result bad';
            message.textContent = `✗ ${(err as Error).message}`;
          }
        } }, 'Save')));
    /**
     * Autotask cannot remove a service from a contract, so an unmap leaves the units the sync set
     * (docs/design.md rule 8b). Say which, and offer to have the next run set them to 0.
     */
    const showStop = (stop: Stop, how: 'unmapped' | 'excluded' = 'unmapped') => {
      if (stop.leftBehind.length === 0) return close();
      const contracts = new Map(c.contract?.name ? [[c.contract.id, c.contract.name]] : []);
      const pairs = h('ul', { class: 'left-behind' }, ...stop.leftBehind.map((p) => h('li', {}, leftBehindInWords(p, { services: new Map(), contracts }))));
      // Service names come from the product mappings; until they arrive the ids stand in.
      void api<{ items: ProductMapping[] }>('GET', path`/v1/partners/${pid}/product-mappings`).then(({ items }) => {
        const services = new Map(items.flatMap((m) => (m.autotaskServiceId !== null && m.autotaskServiceName ? [[m.autotaskServiceId, m.autotaskServiceName] as const] : [])));
        replace(pairs, ...stop.leftBehind.map((p) => h('li', {}, leftBehindInWords(p, { services, contracts }))));
      }, () => undefined);
      const note = h('p', { class: 'muted' }, stop.release === 'zero' ? 'The next sync sets them to 0.' : 'They stay billed until you release them or change them in Autotask.');
      replace(dialog,
        h('h3', { id: 'ed-title' }, `${c.pbCompanyName} is ${how}`),
        h('p', {}, 'Autotask cannot take a service off a contract, so what the sync billed stays:'), pairs, note,
        h('div', { class: 'actions' },
          stop.release === 'zero' ? null : h('button', { type: 'button', class: 'danger', onclick: async () => showStop(await api<Stop>('DELETE', `${path`/v1/partners/${pid}/company-mappings/${c.pbCompanyId}`}?release=zero`)) }, 'Release: set to 0 on the next sync'),
          h('button', { type: 'button', class: 'secondary', onclick: close }, 'Done')));
      dialog.querySelector<HTMLElement>('button')?.focus();
    };
    replace(editor, h('div', { class: 'backdrop' }, dialog));
    trapFocus(dialog, close);
    void find();
    term.focus();
  }

  const refilter = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { offset = 0; void load(); }, 250);
  };
  search.addEventListener('input', refilter);
  status.addEventListener('change', refilter);
  show.addEventListener('change', refilter);

  replace(card,
    h('h2', { id: 'cm-title' }, 'Company mapping'),
    h('p', { class: 'muted' }, 'Connect Password Boss companies to Autotask companies and pick the Recurring Service contract to update. Click the pencil to edit.'),
    counter,
    h('div', { class: 'row filters' }, field('Search', search), field('Status', status), field('Show', show)),
    tools,
    h('div', { class: 'scroll' }, h('table', { class: 'companies' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Password Boss company'), h('th', {}, 'Autotask company'), h('th', {}, 'Contract'), h('th', {}, 'Last Sync'), h('th', {}, 'Status'), h('th', {}, h('span', { class: 'sr-only' }, 'Edit')))),
      tbody)),
    pager, editor);
  void load().then(() => refreshFromPasswordBoss());
  return { element: card, refresh: () => void load() };
}
