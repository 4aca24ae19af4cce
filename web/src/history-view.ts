/**
 * Sync history: every run, paged, filtered by status, in the partner's timezone; a run's results
 * by name (company, product, service, contract) with before → after and the money; its CSV; a
 * Temporal UI link for the admin. Runs still going, whatever started them (Sync now, the
 * schedule, the Temporal UI), refresh on their own while the page is open.
 */
import { api, session, type SyncRun } from './api.ts';
import { fmtZoned, h, replace } from './dom.ts';
import { path } from './paths.ts';

type Result = NonNullable<SyncRun['results']>[number];

const PAGE = 10;
/** How often the list is re-read while a run is going, and while none is (a scheduled run may start). */
const LIVE_MS = 2_000;
const IDLE_MS = 15_000;
const FILTERS = [
  { value: '', label: 'All runs' },
  { value: 'error,failed', label: 'Errors only' },
  { value: 'error,failed,warning', label: 'Errors and warnings' },
] as const;

export const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(2)}`;

const serviceLabel = (r: Result) => (r.serviceName ? `${r.serviceName}` : `service ${r.autotaskServiceId}`);
const contractLabel = (r: Result) => (r.contractName ? `contract '${r.contractName}' (#${r.autotaskContractId})` : `contract #${r.autotaskContractId}`);

/** Moves, releases and stops in a sentence: where the units went and why (docs/design.md rule 8b). */
function moveInWords(r: Result): string | null {
  const company = r.pbCompanyName ?? r.pbCompanyId;
  const what = r.productName ?? 'billing';
  const where = `${serviceLabel(r)} on ${contractLabel(r)}`;
  const done = r.action === 'would_set' ? 'would be set to 0' : r.action === 'would_hold' ? 'would be set to 0 once approved (held by a guardrail)' : r.status === 'ok' ? 'set to 0' : 'not set to 0 (see the error)';
  switch (r.reason) {
    case 'moved_service': return `${company}: ${what} moved to another service; ${where} ${done}`;
    case 'moved_contract': return `${company} moved to another contract: ${where} ${done}`;
    case 'released': return `${company} released: ${where} ${done}`;
  }
  return r.action === 'left_behind' ? `${company}: ${what} is no longer billed; ${where} keeps ${r.unitsAfter} units` : null;
}

/** The partner's time on one line, the viewer's under it, so the table stays narrow. */
function zonedCell(value: string, zone: string): Array<string | HTMLElement> {
  const [theirs, mine] = fmtZoned(value, zone).split(' · ');
  return mine ? [theirs!, h('div', { class: 'muted small' }, mine)] : [theirs!];
}

const duration = (r: SyncRun) => (r.finishedAt ? `${((new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime()) / 1000).toFixed(1)} s` : 'running');

export function historyView(pid: string, zone: string, onRunFinished: () => void): { element: HTMLElement; refresh: () => void } {
  const card = h('section', { class: 'card', 'aria-labelledby': 'hi-title' });
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  const details = h('div', { class: 'run-details', 'aria-live': 'polite' });
  const filter = h('select', { 'aria-label': 'Show' }, ...FILTERS.map((f) => h('option', { value: f.value }, f.label)));
  let offset = 0;
  let shown: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = new Set<string>();
  let loads = 0;
  /** What the last approve or reject said; kept across the details' re-render, for that run only. */
  const answered = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  let answeredRun: string | null = null;

  async function load() {
    clearTimeout(timer);
    const mine = ++loads;
    const qs = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (filter.value) qs.set('status', filter.value);
    try {
      const page = await api<{ items: SyncRun[]; total: number }>('GET', `${path`/v1/partners/${pid}/sync-runs`}?${qs}`);
      // A newer load superseded this one, or a partner switch took the card off the page.
      if (mine !== loads || !card.isConnected) return;
      const nowRunning = new Set(page.items.filter((r) => r.status === 'running').map((r) => r.id));
      const finished = [...running].some((id) => !nowRunning.has(id));
      running = nowRunning;
      replace(tbody, ...(page.items.length ? page.items.map(row) : [h('tr', {}, h('td', { colspan: 7, class: 'muted' }, filter.value ? 'No runs match this filter.' : 'No runs yet.'))]));
      replace(pager,
        h('span', {}, page.total ? `${offset + 1}–${Math.min(offset + PAGE, page.total)} of ${page.total}` : ''),
        h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); void load(); } }, 'Newer'),
        h('button', { type: 'button', class: 'secondary', disabled: offset + PAGE >= page.total, onclick: () => { offset += PAGE; void load(); } }, 'Older'));
      if (shown && (finished || running.has(shown))) void show(shown);
      if (finished) onRunFinished();
    } catch (err) {
      replace(tbody, h('tr', {}, h('td', { colspan: 7, class: 'bad' }, `The history could not be loaded: ${(err as Error).message}`)));
    }
    if (card.isConnected) timer = setTimeout(() => void load(), running.size ? LIVE_MS : IDLE_MS);
  }

  const row = (r: SyncRun) => h('tr', { 'data-run': r.id },
    h('td', {}, r.trigger, r.dryRun ? h('span', { class: 'tag' }, 'dry run') : null),
    h('td', {}, ...zonedCell(r.startedAt, zone)),
    h('td', {}, duration(r)),
    h('td', {}, h('span', { class: `status s-${r.status}` }, r.status),
      r.paced && r.pacedUntil ? h('div', { class: 'muted' }, `paced: waiting for the Autotask hourly budget, resumes ${fmtZoned(r.pacedUntil, zone)}`) : null),
    h('td', {}, `${r.done}/${r.total}${r.failed ? `, ${r.failed} failed` : ''}`),
    h('td', {}, String(r.unitsChanged)),
    h('td', {}, h('button', { type: 'button', class: 'link', 'aria-label': `Details of the run of ${fmtZoned(r.startedAt, zone)}`, onclick: () => void show(r.id) }, 'Details'), r.temporalUiUrl ? h('a', { href: r.temporalUiUrl, target: '_blank', rel: 'noopener' }, 'Temporal UI') : null));

  async function show(runId: string) {
    shown = runId;
    if (answeredRun !== runId) answered.textContent = '';
    const run = await api<SyncRun>('GET', path`/v1/partners/${pid}/sync-runs/${runId}`);
    if (shown !== runId) return;
    const results = run.results ?? [];
    const moves = results.map(moveInWords).filter((m): m is string => m !== null);
    const money = run.amountChange === undefined ? null
      : `${run.dryRun ? 'Invoices would change by' : 'Invoices change by'} ${signed(run.amountChange)}${run.unpricedChanges ? ` (plus ${run.unpricedChanges} change${run.unpricedChanges === 1 ? '' : 's'} whose unit price Autotask sets when it adds the service)` : ''}`;
    replace(details,
      h('h3', {}, `${run.dryRun ? 'Preview' : 'Run'} of ${fmtZoned(run.startedAt, zone)} — billing month ${run.billingMonth ?? '—'}, effective ${run.effectiveDate ?? '—'}`, run.status === 'running' ? h('span', { class: 'tag' }, 'running, updates live') : null),
      run.detail ? h('p', { class: 'muted' }, run.detail) : null,
      h('p', { class: 'amount' }, money, ' ', h('button', { type: 'button', class: 'link', onclick: () => void downloadCsv(runId) }, 'Download CSV')),
      moves.length ? h('ul', { class: 'moves' }, ...moves.map((m) => h('li', {}, m))) : null,
      heldPanel(runId, results),
      answeredRun === runId ? answered : null,
      h('div', { class: 'scroll' }, h('table', { class: 'results' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Company'), h('th', {}, 'Product'), h('th', {}, 'Autotask service and contract'), h('th', {}, 'Before → after'), h('th', {}, 'Amount'), h('th', {}, 'Status'), h('th', {}, 'Detail'))),
        h('tbody', {}, ...results.map((r) => h('tr', { 'data-result-company': r.pbCompanyId },
          h('td', {}, r.pbCompanyName ?? r.pbCompanyId, r.pbCompanyName ? h('div', { class: 'muted small' }, r.pbCompanyId) : null),
          h('td', {}, r.productName ?? '—'),
          h('td', {}, r.autotaskServiceId === null ? '—' : serviceLabel(r), r.autotaskContractId === null ? null : h('div', { class: 'muted small' }, contractLabel(r))),
          h('td', { class: 'nowrap' }, r.unitsBefore === null ? '—' : `${r.unitsBefore} → ${r.unitsAfter ?? '?'}`),
          h('td', { class: 'nowrap' }, r.amountChange === null ? '—' : signed(r.amountChange)),
          h('td', {}, h('span', { class: `status s-${r.status}` }, r.status)), h('td', {}, r.detail ?? '')))))));
  }

  /** The companies a run held for approval (rule 15), each with a box, and the answers. */
  function heldPanel(runId: string, results: Result[]): HTMLElement | null {
    const held = [...new Map(results.filter((r) => r.status === 'held').map((r) => [r.pbCompanyId, r.pbCompanyName ?? r.pbCompanyId])).entries()];
    if (held.length === 0) return null;
    const boxes = held.map(([id]) => h('input', { type: 'checkbox', value: id }));
    const message = answered;
    answeredRun = runId;
    const answer = async (verb: 'approve' | 'reject', all: boolean) => {
      const companyIds = all ? undefined : boxes.filter((b) => b.checked).map((b) => b.value);
      if (companyIds && companyIds.length === 0) {
        message.className = 'result bad';
        message.textContent = 'Tick the companies to answer first.';
        return;
      }
      try {
        await api('POST', path`/v1/partners/${pid}/sync-runs/${runId}/${verb}`, companyIds ? { companyIds } : {});
        message.className = 'result ok';
        message.textContent = verb === 'approve' ? '✓ Approved: a run is writing the held changes.' : '✓ Rejected: nothing was written to Autotask.';
        void load();
        await show(runId);
      } catch (err) {
        message.className = 'result bad';
        message.textContent = `✗ ${(err as Error).message}`;
      }
    };
    return h('fieldset', { class: 'held' }, h('legend', {}, `Waiting for approval (${held.length})`),
      ...held.map(([, name], i) => h('label', { class: 'switch' }, boxes[i]!, name)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => void answer('approve', false) }, 'Approve selected'),
        h('button', { type: 'button', onclick: () => void answer('approve', true) }, 'Approve all'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void answer('reject', false) }, 'Reject selected')));
  }

  /** The CSV needs the key, so it is fetched and handed to the browser as a file. */
  async function downloadCsv(runId: string) {
    const res = await fetch(path`/v1/partners/${pid}/sync-runs/${runId}/results.csv`, { headers: { authorization: `Bearer ${session.key ?? ''}` } });
    if (!res.ok) return;
    const link = h('a', { href: URL.createObjectURL(await res.blob()), download: `sync-run-${runId}.csv` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  filter.addEventListener('change', () => { offset = 0; void load(); });
  replace(card, h('h2', { id: 'hi-title' }, 'Sync history'),
    h('div', { class: 'row filters' }, h('div', { class: 'field' }, h('label', { for: 'hi-filter' }, 'Show'), Object.assign(filter, { id: 'hi-filter' }))),
    h('div', { class: 'scroll' }, h('table', { class: 'runs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Trigger'), h('th', {}, 'Started'), h('th', {}, 'Duration'), h('th', {}, 'Result'), h('th', {}, 'Companies'), h('th', {}, 'Units changed'), h('th', {}, h('span', { class: 'sr-only' }, 'Links')))),
      tbody)), pager, details);
  void load();
  return { element: card, refresh: () => void load() };
}
