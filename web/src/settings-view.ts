/** Enter API Credentials, Authenticate, the Integration Status toggle, Save. */
import { api, ApiError, type AuthResult, type Settings } from './api.ts';
import { field, fmtDate, h, replace } from './dom.ts';
import { path } from './paths.ts';

export function settingsView(pid: string, settings: Settings, onSaved: (s: Settings) => void): HTMLElement {
  const username = h('input', { type: 'text', autocomplete: 'username', value: settings.username ?? '', placeholder: 'api-user@yourcompany.example', required: true });
  const secret = h('input', { type: 'password', autocomplete: 'current-password', placeholder: settings.hasSecret ? 'Stored — leave empty to keep it' : 'The API user\'s password (secret)' });
  const tracking = h('input', { type: 'text', value: settings.trackingIdentifier ?? '', placeholder: 'Leave empty to use the Password Boss vendor code' });
  const enabled = h('input', { type: 'checkbox', role: 'switch', checked: settings.enabled });
  const result = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const body = () => ({
    username: username.value.trim(),
    ...(secret.value ? { secret: secret.value } : {}),
    ...(tracking.value.trim() ? { trackingIdentifier: tracking.value.trim() } : settings.trackingIdentifier ? { trackingIdentifier: null } : {}),
  });
  const show = (ok: boolean, text: string) => {
    result.className = `result ${ok ? 'ok' : 'bad'}`;
    result.textContent = text;
  };

  const authenticate = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    show(true, 'Checking with Autotask…');
    try {
      const r = await api<AuthResult>('POST', path`/v1/partners/${pid}/autotask/authenticate`, body());
      show(r.ok, r.ok ? `✓ ${r.message}` : `✗ ${r.message}`);
    } catch (err) {
      show(false, `✗ ${(err as Error).message}`);
    }
  } }, 'Authenticate');

  const save = h('button', { type: 'submit' }, 'Save');
  const form = h('form', { class: 'card', 'aria-labelledby': 'at-title', onsubmit: async (e: Event) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const saved = await api<Settings>('PUT', path`/v1/partners/${pid}/autotask`, { ...body(), enabled: enabled.checked });
      secret.value = '';
      secret.placeholder = 'Stored — leave empty to keep it';
      show(true, `✓ Saved. Integration ${saved.enabled ? 'enabled' : 'disabled'}${saved.zone ? ` · zone ${saved.zone.name}` : ''}.`);
      onSaved(saved);
    } catch (err) {
      show(false, `✗ ${err instanceof ApiError ? err.message : String(err)}`);
    } finally {
      save.disabled = false;
    }
  } },
    h('h2', { id: 'at-title' }, 'Autotask PSA'),
    h('p', { class: 'muted' }, 'Enter the API user you created in Autotask, then Authenticate to check that Password Boss can reach your Autotask instance.'),
    h('div', { class: 'grid2' },
      field('Username', username),
      field('Password (secret)', secret),
      field('API Tracking Identifier', tracking, 'Optional'),
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'Integration status'),
        h('label', { class: 'switch' }, enabled, h('span', {}, 'Enabled — when off, nothing is sent to Autotask'))),
    ),
    h('div', { class: 'actions' }, authenticate, save),
    result,
    settings.lastAuthentication ? h('p', { class: 'muted small' }, `Last checked ${fmtDate(settings.lastAuthentication.at)}: ${settings.lastAuthentication.ok ? 'OK' : 'failed'}${settings.zone ? ` · zone ${settings.zone.name}` : ''}`) : null,
  );
  replace(result);
  return form;
}
