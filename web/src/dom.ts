/** A few lines of DOM building, so views read like the markup they make. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.className = String(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function replace(target: Element, ...children: Child[]): void {
  target.replaceChildren(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))));
}

let nextId = 0;
export const uid = (prefix: string) => `${prefix}-${++nextId}`;

/** A labelled form field; the label is tied to the control for screen readers and clicks. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('small', {}, hint) : null);
}

/** The viewer's own timezone, as the browser reports it. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const parts = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
const wallClock = (d: Date, zone: string) => new Intl.DateTimeFormat(undefined, { ...parts, timeZone: zone }).format(d);
const labelled = (d: Date, zone: string) => new Intl.DateTimeFormat(undefined, { ...parts, timeZone: zone, timeZoneName: 'short' }).format(d);

/** A time in the viewer's zone, with the zone named: an unlabelled "11:00" reads as anyone's 11:00. */
export const fmtDate = (value: string | null | undefined) => (value ? labelled(new Date(value), viewerZone()) : '—');

/**
 * A time in the partner's zone (its schedule's, its invoices'), with the zone named, and the
 * viewer's own clock after it when that shows a different time: "Dec 2, 2026, 06:00 EST
 * (America/New_York) · 11:00 UTC for you".
 */
export function fmtZoned(value: string | null | undefined, zone: string): string {
  if (!value) return '—';
  const d = new Date(value);
  const theirs = `${labelled(d, zone)} (${zone})`;
  const mine = viewerZone();
  if (mine === zone || wallClock(d, mine) === wallClock(d, zone)) return theirs;
  const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: mine, timeZoneName: 'short' }).format(d);
  const sameDay = new Intl.DateTimeFormat('en-CA', { timeZone: mine }).format(d) === new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(d);
  return `${theirs} · ${sameDay ? time : labelled(d, mine)} for you`;
}
