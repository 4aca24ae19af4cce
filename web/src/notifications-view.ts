/** Alerts: where a run's outcome is told (e-mail, signed webhook) and for which outcomes. */
import { api, type NotificationSettings } from './api.ts';
import { field, h, replace } from './dom.ts';
import { path } from './paths.ts';

const EVENTS: Array<[NotificationSettings['on'][number], string]> = [
  ['error', 'A run failed'],
  ['warning', 'Some companies failed'],
  ['held', 'A run waits for approval'],
  ['recovered', 'Syncing works again'],
];

export function notificationsView(pid: string): HTMLElement {
  const card = h('section', { class: 'card', 'aria-labelledby': 'no-title' });
  const emails = h('input', { type: 'text', autocomplete: 'off', placeholder: 'billing@example.com, ops@example.com' });
  const webhook = h('input', { type: 'url', autocomplete: 'off', placeholder: 'https://hooks.example.com/pb-autotask' });
  const boxes = EVENTS.map(([value]) => h('input', { type: 'checkbox', value }));
  const secretNote = h('p', { class: 'muted small' });
  const message = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });

  const show = (s: NotificationSettings) => {
    emails.value = s.emails.join(', ');
    webhook.value = s.webhookUrl ?? '';
    for (const box of boxes) box.checked = s.on.includes(box.value as NotificationSettings['on'][number]);
    secretNote.textContent = s.webhookUrl ? (s.hasWebhookSecret ? 'Requests carry X-PB-Signature: sha256=<HMAC-SHA256 of the body> under the signing secret shown when the webhook was saved.' : '') : '';
  };

  // Disabled until the saved settings are in: typing before they arrive would be overwritten, and a
  // Save sent then would replace the real settings with the empty form's.
  const save = h('button', { type: 'submit', disabled: true }, 'Save notifications');
  const fields = h('fieldset', { class: 'plain', disabled: true, 'aria-busy': 'true' });
  const form = h('form', { onsubmit: async (e: Event) => {
    e.preventDefault();
    if (fields.disabled) return;
    try {
      const saved = await api<NotificationSettings & { webhookSecret?: string }>('PUT', path`/v1/partners/${pid}/notifications`, {
        emails: emails.value.split(/[\s,;]+/).filter(Boolean),
        webhookUrl: webhook.value.trim() || null,
        on: boxes.filter((b) => b.checked).map((b) => b.value),
      });
      show(saved);
      message.className = 'result ok';
      replace(message, '✓ Notifications saved.', saved.webhookSecret ? h('span', {}, ' Webhook signing secret (shown once, store it now): ', h('code', { 'data-webhook-secret': '' }, saved.webhookSecret)) : null);
    } catch (err) {
      message.className = 'result bad';
      message.textContent = `✗ ${(err as Error).message}`;
    }
  } },
    fields,
    secretNote,
    h('div', { class: 'actions' }, save),
  );
  replace(fields,
    h('div', { class: 'grid2' }, field('E-mail addresses', emails, 'Comma-separated; one message per run to all of them.'), field('Webhook URL', webhook, 'Receives a signed JSON POST per alert.')),
    h('fieldset', { class: 'events' }, h('legend', {}, 'Tell me when'), ...EVENTS.map(([, label], i) => h('label', { class: 'switch' }, boxes[i]!, label))));

  replace(card, h('h2', { id: 'no-title' }, 'Notifications'),
    h('p', { class: 'muted' }, 'Hear once per run when a sync fails or needs you, and when it works again. Close to the month\'s end, a failing sync says how many days are left before invoicing.'),
    form, message);
  void api<NotificationSettings>('GET', path`/v1/partners/${pid}/notifications`).then(
    (s) => {
      show(s);
      fields.disabled = save.disabled = false;
      fields.removeAttribute('aria-busy');
    },
    (err: Error) => {
      message.className = 'result bad';
      message.textContent = `✗ The notification settings could not be loaded (${err.message}); reload the page to try again.`;
    }
  );
  return card;
}
