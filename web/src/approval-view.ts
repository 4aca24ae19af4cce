/** Approval: auto, or review with guardrails; changes beyond them are held for the MSP to answer. */
import { api, type ApprovalSettings } from './api.ts';
import { field, h, replace } from './dom.ts';
import { path } from './paths.ts';

export function approvalView(pid: string): HTMLElement {
  const card = h('section', { class: 'card', 'aria-labelledby': 'ap-title' });
  const mode = h('select', {}, h('option', { value: 'auto' }, 'Automatic: write every change'), h('option', { value: 'review' }, 'Review: hold changes beyond the guardrails'));
  const seats = h('input', { type: 'number', min: 0, step: 1, placeholder: 'no limit' });
  const percent = h('input', { type: 'number', min: 0, step: 'any', placeholder: 'no limit' });
  const save = h('button', { type: 'submit', disabled: true }, 'Save approval');
  const message = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const numberOrNull = (input: HTMLInputElement) => (input.value.trim() === '' ? null : Number(input.value));

  const show = (s: ApprovalSettings) => {
    mode.value = s.mode;
    seats.value = s.maxSeatChange === null ? '' : String(s.maxSeatChange);
    percent.value = s.maxPercentChange === null ? '' : String(s.maxPercentChange);
    // Saving before the settings are shown would overwrite them with the blank form.
    save.disabled = false;
  };

  const form = h('form', { onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      show(await api<ApprovalSettings>('PUT', path`/v1/partners/${pid}/approval`, { mode: mode.value, maxSeatChange: numberOrNull(seats), maxPercentChange: numberOrNull(percent) }));
      message.className = 'result ok';
      message.textContent = '✓ Approval saved.';
    } catch (err) {
      message.className = 'result bad';
      message.textContent = `✗ ${(err as Error).message}`;
    }
  } },
    h('div', { class: 'grid2' }, field('Mode', mode), h('div', {})),
    h('div', { class: 'grid2' },
      field('Hold when a service changes by more than (seats)', seats, 'Leave empty for no seat limit.'),
      field('Hold when a service changes by more than (%)', percent, 'A change from 0 counts as 100 %. Leave empty for no limit.')),
    h('div', { class: 'actions' }, save));

  replace(card, h('h2', { id: 'ap-title' }, 'Approval'),
    h('p', { class: 'muted' }, 'In review mode, a company whose change goes beyond a guardrail is held: nothing is written to Autotask until you approve it in the run\'s details. Other companies sync as usual.'),
    form, message);
  void api<ApprovalSettings>('GET', path`/v1/partners/${pid}/approval`).then(show, (err: Error) => (message.textContent = err.message));
  return card;
}
