/** Sync schedule (daily or weekly, time, timezone, next runs) and Sync now with live progress. */
import { api, type Schedule, type SyncRun } from './api.ts';
import { field, fmtZoned, h, replace } from './dom.ts';
import { path } from './paths.ts';

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const ZONES = ['UTC', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Australia/Sydney', 'Pacific/Auckland', 'Asia/Tokyo'];

export function scheduleView(pid: string, defaultTimezone: string, onRunFinished: () => void): HTMLElement {
  const card = h('section', { class: 'card', 'aria-labelledby': 'sc-title' });
  const frequency = h('select', {}, h('option', { value: 'daily' }, 'Daily'), h('option', { value: 'weekly' }, 'Weekly'));
  const day = h('select', {}, ...DAYS.map((d) => h('option', { value: d }, d[0] + d.slice(1).toLowerCase())));
  const time = h('input', { type: 'time', value: '06:00', required: true });
  const timezone = h('input', { type: 'text', list: 'tz-list', value: defaultTimezone, required: true });
  const next = h('p', { class: 'muted small' });
  const message = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const progress = h('div', { class: 'progress', role: 'status', 'aria-live': 'polite' });
  const dayField = field('Day of week', day);
  const toggleDay = () => (dayField.hidden = frequency.value !== 'weekly');
  frequency.addEventListener('change', toggleDay);

  const showSchedule = (s: Schedule) => {
    if (s.schedule) {
      frequency.value = s.schedule.frequency;
      if (s.schedule.dayOfWeek) day.value = s.schedule.dayOfWeek;
      time.value = s.schedule.time;
      timezone.value = s.schedule.timezone;
    }
    toggleDay();
    next.textContent = s.schedule
      ? `${s.paused ? 'Paused (integration disabled). ' : ''}Next run: ${s.nextRuns[0] ? fmtZoned(s.nextRuns[0], s.schedule.timezone) : '—'}${s.note ? ` · ${s.note}` : ''}`
      : 'No schedule yet.';
  };

  // Disabled until the saved schedule has loaded: before that the fields hold defaults, and a
  // Save pressed then would overwrite the real schedule with them.
  const fields = h('fieldset', { class: 'plain', disabled: true, 'aria-busy': 'true' },
    h('legend', { class: 'sr-only' }, 'Schedule'),
    h('div', { class: 'grid4' }, field('Frequency', frequency), dayField, field('Time of day', time), field('Timezone', timezone)));
  const save = h('button', { type: 'submit', disabled: true }, 'Save schedule');
  const form = h('form', { onsubmit: async (e: Event) => {
    e.preventDefault();
    if (fields.disabled) return;
    try {
      const saved = await api<Schedule>('PUT', path`/v1/partners/${pid}/schedule`, { frequency: frequency.value, ...(frequency.value === 'weekly' ? { dayOfWeek: day.value } : {}), time: time.value, timezone: timezone.value.trim() });
      showSchedule(saved);
      message.className = 'result ok';
      message.textContent = '✓ Schedule saved.';
    } catch (err) {
      message.className = 'result bad';
      message.textContent = `✗ ${(err as Error).message}`;
    }
  } },
    fields,
    h('datalist', { id: 'tz-list' }, ...ZONES.map((z) => h('option', { value: z }))),
    h('div', { class: 'actions' }, save, h('button', { type: 'button', class: 'primary', onclick: syncNow }, 'Sync now')),
  );

  async function syncNow() {
    try {
      const started = await api<{ runId: string; alreadyRunning: boolean }>('POST', path`/v1/partners/${pid}/sync`, {});
      message.className = 'result ok';
      message.textContent = started.alreadyRunning ? 'A sync is already running; showing its progress.' : 'Sync started.';
      await watch(started.runId);
    } catch (err) {
      message.className = 'result bad';
      message.textContent = `✗ ${(err as Error).message}`;
    }
  }

  async function watch(runId: string) {
    for (;;) {
      const run = await api<SyncRun>('GET', path`/v1/partners/${pid}/sync-runs/${runId}`);
      const pct = run.total ? Math.round((100 * run.done) / run.total) : 0;
      // Set through the CSSOM: a `style` attribute is inline style, which the CSP refuses.
      const fill = h('span');
      fill.style.width = `${run.status === 'running' ? pct : 100}%`;
      replace(progress,
        h('div', { class: 'bar', 'aria-hidden': 'true' }, fill),
        h('span', { 'data-run-status': run.status }, run.status === 'running'
          ? `Syncing… ${run.done} / ${run.total || '?'} companies${run.failed ? `, ${run.failed} failed` : ''}`
          : `Sync ${run.status}: ${run.done} / ${run.total} companies, ${run.failed} failed, ${run.unitsChanged} units changed${run.detail ? ` — ${run.detail}` : ''}`));
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 700));
    }
    onRunFinished();
  }

  replace(card, h('h2', { id: 'sc-title' }, 'Sync schedule'),
    h('p', { class: 'muted' }, 'Password Boss calculates monthly user counts on the last day of the month. Sync before you generate your Autotask invoices so they carry the right counts.'),
    form, next, message, progress);
  void api<Schedule>('GET', path`/v1/partners/${pid}/schedule`).then((s) => {
    showSchedule(s);
    fields.disabled = save.disabled = false;
    fields.setAttribute('aria-busy', 'false');
  }, (err: Error) => {
    fields.setAttribute('aria-busy', 'false');
    next.textContent = `The schedule could not be loaded (${err.message}), so it cannot be changed here; reload the page to try again.`;
  });
  return card;
}
