/** Product mappings: Password Boss products left, an Autotask service right; click the box to edit. */
import { api, type ProductMapping, type Service } from './api.ts';
import { h, replace } from './dom.ts';
import { path } from './paths.ts';

const NOT_BILLED = 'not-billed';

export function productsView(pid: string): HTMLElement {
  const card = h('section', { class: 'card', 'aria-labelledby': 'pm-title' });
  let editing = false;
  let mappings: ProductMapping[] = [];
  let services: Service[] = [];
  const message = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });

  const render = () => {
    const rows = mappings.map((m) => {
      // "Not mapped" (no choice yet: its users raise a warning) is only where the product starts;
      // once chosen, a product is billed through a service or deliberately not billed.
      const unmapped = m.autotaskServiceId === null && !m.notBilled;
      // The service list holds active services only: a product still mapped to one made inactive
      // in Autotask keeps it as its own choice rather than falling onto the first option.
      const current = m.autotaskServiceId !== null && !services.some((s) => s.id === m.autotaskServiceId)
        ? h('option', { value: String(m.autotaskServiceId), selected: true }, `${m.autotaskServiceName ?? `#${m.autotaskServiceId}`} (inactive in Autotask)`)
        : null;
      const initial = m.autotaskServiceId !== null ? String(m.autotaskServiceId) : m.notBilled ? NOT_BILLED : '';
      const select = h('select', { 'aria-label': `Autotask service for ${m.productName}`, 'data-product': m.productId, 'data-initial': initial, disabled: !editing },
        unmapped ? h('option', { value: '' }, '— not mapped —') : null,
        h('option', { value: NOT_BILLED, selected: m.notBilled }, 'Not billed'),
        current,
        ...services.map((s) => h('option', { value: String(s.id), selected: s.id === m.autotaskServiceId }, s.name)));
      return h('tr', {}, h('td', {}, m.productName), h('td', {}, editing ? select : m.autotaskServiceName ?? h('span', { class: 'muted' }, m.notBilled ? 'not billed' : 'not mapped')));
    });
    const table = h('table', { class: 'mapping' }, h('thead', {}, h('tr', {}, h('th', {}, 'Password Boss product'), h('th', {}, 'Autotask service'))), h('tbody', {}, ...rows));
    const box = editing
      ? table
      : h('button', { type: 'button', class: 'editbox', 'aria-label': 'Edit product mappings', onclick: () => { editing = true; render(); } }, table, h('span', { class: 'hint' }, 'Click to edit'));
    replace(card,
      h('h2', { id: 'pm-title' }, 'Product mappings'),
      h('p', { class: 'muted' }, 'Products in Password Boss map to Services in Autotask (Admin › Products & Services › Services).'),
      box,
      editing ? h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { editing = false; render(); } }, 'Cancel'),
        h('button', { type: 'button', onclick: save }, 'Save')) : null,
      message);
  };

  async function save() {
    // Only what the user changed is sent: the server keeps every product not listed, so a product
    // left "not mapped", or one whose service is no longer offered, stays exactly as it was.
    const chosen = [...card.querySelectorAll<HTMLSelectElement>('select[data-product]')].filter((s) => s.value !== '' && s.value !== s.dataset.initial);
    const body = { mappings: chosen.map((s) => ({ productId: s.dataset.product!, autotaskServiceId: s.value === NOT_BILLED ? null : Number(s.value) })) };
    try {
      mappings = (await api<{ items: ProductMapping[] }>('PUT', path`/v1/partners/${pid}/product-mappings`, body)).items;
      editing = false;
      message.className = 'result ok';
      message.textContent = '✓ Product mappings saved.';
    } catch (err) {
      message.className = 'result bad';
      message.textContent = `✗ ${(err as Error).message}`;
    }
    render();
  }

  void (async () => {
    try {
      [mappings, services] = await Promise.all([
        api<{ items: ProductMapping[] }>('GET', path`/v1/partners/${pid}/product-mappings`).then((r) => r.items),
        api<{ items: Service[] }>('GET', path`/v1/partners/${pid}/autotask/services`).then((r) => r.items),
      ]);
    } catch (err) {
      message.className = 'result bad';
      message.textContent = `✗ ${(err as Error).message}`;
    }
    render();
  })();
  render();
  return card;
}
