/**
 * The Autotask PSA integration screen of the Password Boss partner portal. It talks only to the
 * public REST API, like the real portal would. Sign in with a partner key (or the admin key, then
 * pick a partner); the key lives in sessionStorage for this tab only.
 */
import { api, ApiError, prefetch, session, type Partner, type PartnerOverview, type Settings } from './api.ts';
import { approvalView } from './approval-view.ts';
import { companiesView, firstListUrls } from './companies-view.ts';
import { field, h, replace } from './dom.ts';
import { historyView } from './history-view.ts';
import { notificationsView } from './notifications-view.ts';
import { partnersOverview } from './partners-overview.ts';
import { previewView } from './preview-view.ts';
import { productsView } from './products-view.ts';
import { scheduleView } from './schedule-view.ts';
import { settingsView } from './settings-view.ts';
import { path } from './paths.ts';

const app = document.getElementById('app')!;
const sessionBox = document.getElementById('session')!;
// Each start() supersedes the previous one: a slow answer for the partner picked before must not
// replace the page of the partner picked after it. aria-busy tells assistive tech (and the browser
// test) when the page has settled.
let generation = 0;

function signIn(message?: string) {
  generation++; // whatever was loading for the previous key is dropped
  app.removeAttribute('aria-busy');
  delete app.dataset.partner;
  replace(sessionBox);
  const key = h('input', { type: 'password', autocomplete: 'off', required: true, placeholder: 'pbas_…' });
  const error = h('p', { class: 'result bad', role: 'alert' }, message ?? '');
  replace(app, h('form', { class: 'card narrow', 'aria-labelledby': 'si-title', onsubmit: async (e: Event) => {
    e.preventDefault();
    session.key = key.value.trim();
    await start().catch((err: Error) => signIn(err.message));
  } }, h('h2', { id: 'si-title' }, 'Sign in'), h('p', { class: 'muted' }, 'Use your partner API key. Administrators can use the admin key and pick a partner.'), field('API key', key), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')), error));
  key.focus();
}

async function start() {
  const mine = ++generation;
  const current = () => mine === generation;
  if (!session.key) return signIn();
  app.setAttribute('aria-busy', 'true');
  let me: { role: 'admin' | 'partner'; partner: Partner | null };
  try {
    me = await api('GET', '/v1/me');
  } catch (err) {
    if (!current()) return;
    session.key = null;
    return signIn(err instanceof ApiError && err.status === 401 ? 'That key is not valid.' : (err as Error).message);
  }
  const partners: Array<Partner | PartnerOverview> = me.role === 'admin' ? (await api<{ items: PartnerOverview[] }>('GET', '/v1/partners')).items : [me.partner!];
  if (!current()) return;
  if (!partners.length) return signIn('There are no partners yet; create one through the API (POST /v1/partners).');
  const chosen = sessionStorage.getItem('pbas.partner');
  const partner = partners.find((p) => p.id === chosen) ?? partners[0]!;
  const signOut = h('button', { type: 'button', class: 'link', onclick: () => { session.key = null; sessionStorage.removeItem('pbas.partner'); signIn(); } }, 'Sign out');
  const pick = (id: string) => {
    if (id === sessionStorage.getItem('pbas.partner') && app.dataset.partner === id) return;
    sessionStorage.setItem('pbas.partner', id);
    void start().catch((err: Error) => signIn(err.message));
  };
  // The admin sees every partner's last run first (failing ones on top) and picks one from it.
  let overview = me.role === 'admin' ? partnersOverview(partners as PartnerOverview[], partner.id, pick) : null;
  // A run that finishes on this page changes its partner's row: fetch the list again rather than
  // leave "never synced" beside a finished run. A failed fetch keeps the rows it had.
  const refreshOverview = async () => {
    if (!overview) return;
    const items = (await api<{ items: PartnerOverview[] }>('GET', '/v1/partners')).items;
    if (!current() || !overview.isConnected) return;
    const next = partnersOverview(items, partner.id, pick);
    overview.replaceWith(next);
    overview = next;
  };
  if (me.role === 'admin') {
    const select = h('select', { 'aria-label': 'Partner', onchange: (e: Event) => pick((e.target as HTMLSelectElement).value) },
      ...partners.map((p) => h('option', { value: p.id, selected: p.id === partner.id }, `${p.name} (${p.id})`)));
    replace(sessionBox, select, signOut);
  } else {
    replace(sessionBox, h('span', {}, partner.name), signOut);
  }
  await render(partner, current, overview, () => void refreshOverview().catch(() => undefined));
}

async function render(partner: Partner, current: () => boolean, overview: HTMLElement | null, onRunFinished: () => void) {
  // The company list is most of the first render's wait: ask for it alongside the settings
  // rather than after them (an integration not saved yet just leaves the answer unused).
  for (const url of firstListUrls(partner.id)) prefetch(url);
  const settings = await api<Settings>('GET', path`/v1/partners/${partner.id}/autotask`);
  if (!current()) return;
  const after = h('div', { id: 'after-save' });
  const showSections = (s: Settings) => {
    if (!s.configured) {
      replace(after, h('p', { class: 'muted card' }, 'Once you have saved your integration, the product mappings, sync schedule and company mapping options appear here.'));
      return;
    }
    const companies = companiesView(partner.id);
    const history = historyView(partner.id, partner.timezone, () => { companies.refresh(); onRunFinished(); });
    const refresh = () => { companies.refresh(); history.refresh(); onRunFinished(); };
    replace(after, productsView(partner.id), scheduleView(partner.id, partner.timezone, refresh), previewView(partner.id, refresh), companies.element, history.element, approvalView(partner.id), notificationsView(partner.id));
  };
  replace(app, overview, h('h1', {}, 'Integrate Autotask with Password Boss'), settingsView(partner.id, settings, (saved) => { if (!settings.configured || !after.querySelector('section')) showSections(saved); settings.configured = true; }), after);
  showSections(settings);
  app.dataset.partner = partner.id;
  app.setAttribute('aria-busy', 'false');
}

void start().catch((err: Error) => signIn(err.message));
