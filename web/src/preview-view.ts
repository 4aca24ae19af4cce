/**
 * Preview and Apply (issue 17): a dry run shows, per company and product, the units before →
 * after and what the invoice changes by, with totals; Apply writes exactly that (the API checks
 * the preview's fingerprint against a fresh plan), or shows what moved since and the new preview.
 */
import { api, ApiError, type SyncRun } from './api.ts';
import { h, replace } from './dom.ts';
import { signed } from './history-view.ts';
import { path } from './paths.ts';

type Result = NonNullable<SyncRun['results']>[number];
interface Difference { pbCompanyId: string; pbCompanyName: string | null; contractId: number; serviceId: number; previewed: { before: number; after: number; held?: true } | null; now: { before: number; after: number; held?: true } | null }

const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
const seats = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n)} seat${Math.abs(n) === 1 ? '' : 's'}`;
const pair = (p: { before: number; after: number; held?: true } | null) => (p ? `${p.before} → ${p.after}${p.held ? ' (held for approval)' : ''}` : 'no change');
/** The guardrail part of a `would_hold` row's detail ("PB Standard: 10 → 60 is a change of 50 seats, beyond …"). */
const whyHeld = (detail: string | null) => (detail ?? '').replace(/^Would be held for approval:?\s*/, '');
const none = { changes: 0, companies: 0, seatChange: 0, amountChange: 0, unpricedChanges: 0 };

async function finished(pid: string, runId: string): Promise<SyncRun> {
  for (;;) {
    const run = await api<SyncRun>('GET', path`/v1/partners/${pid}/sync-runs/${runId}`);
    if (run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 700));
  }
}

export function previewView(pid: string, onApplied: () => void): HTMLElement {
  const card = h('section', { class: 'card', 'aria-labelledby': 'pv-title' });
  const message = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'preview' });
  const previewButton = h('button', { type: 'button', class: 'secondary', onclick: () => void runPreview() }, 'Preview changes');
  let busy = false;

  const say = (cls: string, text: string) => { message.className = `result ${cls}`; message.textContent = text; };
  const guard = async (work: () => Promise<void>) => {
    if (busy) return;
    busy = true;
    previewButton.disabled = true;
    try { await work(); } catch (err) { say('bad', `✗ ${(err as Error).message}`); } finally { busy = false; previewButton.disabled = false; }
  };

  const runPreview = () => guard(async () => {
    replace(body);
    say('', 'Planning… nothing is sent to Autotask.');
    const started = await api<{ runId: string }>('POST', path`/v1/partners/${pid}/sync`, { dryRun: true });
    await show(await finished(pid, started.runId));
  });

  async function show(done: SyncRun, moved: Difference[] = []) {
    const run = await api<SyncRun>('GET', path`/v1/partners/${pid}/sync-runs/${done.id}`);
    const results = run.results ?? [];
    // In review mode the API marks the changes Apply would hold (`would_hold`, same rule as the run).
    const changes = results.filter((r) => (r.action === 'would_set' || r.action === 'would_hold') && r.unitsBefore !== r.unitsAfter);
    const problems = results.filter((r) => r.status === 'error' || r.status === 'warning');
    // A dry run's answer always carries its totals, split the way Apply treats the changes.
    const { land, wait } = run.preview ?? { land: none, wait: none };
    say('', run.planFingerprint ? '' : `The preview ended ${run.status}${run.detail ? `: ${run.detail}` : ''}.`);
    const totals = changes.length
      ? `${plural(land.changes, 'contract service')} of ${plural(land.companies, 'company')} change by ${seats(land.seatChange)}, ${signed(land.amountChange)} a month${land.unpricedChanges ? ` (plus ${plural(land.unpricedChanges, 'change')} whose unit price Autotask sets when it adds the service)` : ''}.`
      : 'Nothing to change: every mapped contract already carries the right units.';
    const waiting = wait.changes
      ? h('p', { class: 'totals held-totals', 'data-held-changes': String(wait.changes) },
        h('strong', {}, `‖ ${plural(wait.changes, 'change')} of ${plural(wait.companies, 'company')} (${seats(wait.seatChange)}, ${signed(wait.amountChange)} a month) would wait for approval`),
        ' — beyond your review guardrails; Apply holds them, and you approve or reject them in the run\'s details.')
      : null;
    const amountCell = (r: Result) => (r.amountChange === null ? 'set by Autotask' : signed(r.amountChange));
    replace(body,
      moved.length ? h('div', { class: 'moved', role: 'alert' },
        h('h3', {}, 'Changed since your preview — nothing was applied'),
        h('ul', {}, ...moved.map((d) => h('li', {}, `${d.pbCompanyName ?? d.pbCompanyId}, service #${d.serviceId} on contract #${d.contractId}: previewed ${pair(d.previewed)}, now ${pair(d.now)}`))),
        h('p', { class: 'muted' }, 'Below is the new preview; apply it if it is right.')) : null,
      h('p', { class: 'totals', 'data-preview-run': run.id }, h('strong', {}, totals), ` Billing month ${run.billingMonth ?? '—'}, effective ${run.effectiveDate ?? '—'}.`),
      waiting,
      problems.length ? h('p', { class: 'bad small' }, `${plural(new Set(problems.map((r) => r.pbCompanyId)).size, 'company')} cannot be synced and will not change; see the run's details in the history.`) : null,
      changes.length ? h('div', { class: 'scroll' }, h('table', { class: 'results preview-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Company'), h('th', {}, 'Product'), h('th', {}, 'Autotask service and contract'), h('th', {}, 'Units before → after'), h('th', {}, 'Amount change'), wait.changes ? h('th', {}, 'On Apply') : null)),
        h('tbody', {}, ...changes.map((r: Result) => {
          const held = r.action === 'would_hold';
          return h('tr', { 'data-change': `${r.pbCompanyId}:${r.autotaskContractId}:${r.autotaskServiceId}`, ...(held ? { 'data-held': 'true', class: 'would-hold' } : {}) },
            h('td', {}, r.pbCompanyName ?? r.pbCompanyId),
            h('td', {}, r.productName ?? '—'),
            h('td', {}, r.serviceName ?? `service #${r.autotaskServiceId}`, h('div', { class: 'muted small' }, r.contractName ? `${r.contractName} (#${r.autotaskContractId})` : `contract #${r.autotaskContractId}`)),
            h('td', { class: 'nowrap', 'data-units': `${r.unitsBefore}:${r.unitsAfter}` }, `${r.unitsBefore} → ${r.unitsAfter}`),
            h('td', { class: 'nowrap', 'data-amount': String(r.amountChange ?? '') }, amountCell(r)),
            // Only when something would wait. Words and a symbol, not colour alone: the reason is the guardrail the API named.
            wait.changes ? h('td', {}, held
              ? h('span', {}, h('span', { class: 'status s-held' }, '‖ held for approval'), h('div', { class: 'small', 'data-why': '' }, whyHeld(r.detail)))
              : h('span', { class: 'status s-ok' }, '✓ written')) : null);
        })),
        h('tfoot', {},
          h('tr', {}, h('th', { colspan: 3 }, wait.changes ? 'Would land in Autotask' : 'Total'), h('th', { class: 'nowrap' }, seats(land.seatChange)), h('th', { class: 'nowrap' }, signed(land.amountChange)), wait.changes ? h('th', {}) : null),
          wait.changes ? h('tr', { class: 'would-hold' }, h('th', { colspan: 3 }, 'Would wait for approval'), h('th', { class: 'nowrap' }, seats(wait.seatChange)), h('th', { class: 'nowrap' }, signed(wait.amountChange)), h('th', {})) : null))) : null,
      changes.length && run.planFingerprint ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void apply(run) }, `Apply ${plural(changes.length, 'change')}${wait.changes ? ` (${wait.changes} held for approval)` : ''}`)) : null);
  }

  const apply = (run: SyncRun) => guard(async () => {
    say('', 'Checking the plan again, then applying…');
    try {
      const started = await api<{ runId: string }>('POST', path`/v1/partners/${pid}/sync-runs/${run.id}/apply`, { planFingerprint: run.planFingerprint });
      replace(body);
      const done = await finished(pid, started.runId);
      // Held changes are Apply doing what the preview said, not a failure.
      const [cls, icon] = done.status === 'ok' ? ['ok', '✓'] : done.status === 'held' ? ['', '‖'] : ['bad', '✗'];
      say(cls, `${icon} Applied: sync ${done.status}, ${plural(done.unitsChanged, 'unit')} changed${done.detail ? ` — ${done.detail}` : ''}. The run is in the history.`);
      onApplied();
    } catch (err) {
      const details = err instanceof ApiError ? (err.details as { differences?: Difference[]; preview?: { runId: string } } | undefined) : undefined;
      if (err instanceof ApiError && err.code === 'plan_changed' && details?.preview) {
        say('bad', `✗ ${err.message}`);
        await show(await finished(pid, details.preview.runId), details.differences ?? []);
        return;
      }
      throw err;
    }
  });

  replace(card, h('h2', { id: 'pv-title' }, 'Preview and apply'),
    h('p', { class: 'muted' }, 'See what a sync would change on your Autotask contracts before anything is sent, then apply exactly that.'),
    h('div', { class: 'actions start' }, previewButton), message, body);
  return card;
}
