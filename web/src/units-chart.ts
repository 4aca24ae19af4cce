/**
 * Units over time for one company (issue 17): the billed number per service per month, from the
 * billing ledger. Readable without colour: each service has its own line pattern and marker shape
 * and is named at the line's end; a table beside it holds the same numbers as text.
 */
import type { LedgerEntry } from './api.ts';

export interface UnitSeries {
  serviceId: number;
  name: string;
  /**
   * Units per month (YYYY-MM); `written` false where the month carried the previous units on;
   * null before the service's first write (the ledger does not know what it held then).
   */
  points: Array<{ month: string; units: number | null; written: boolean }>;
}

const nextMonth = (m: string) => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
};

/**
 * Per service and month, the units the company's contracts carried: the latest write per
 * (contract, service, month), summed over contracts (a move sets the old pair to 0). A month
 * without a write kept the units of the month before: Autotask units stay until changed.
 */
export function unitSeries(entries: readonly LedgerEntry[], serviceName: (id: number) => string): UnitSeries[] {
  const latest = new Map<string, LedgerEntry>();
  for (const e of entries) {
    const key = `${e.contractId}|${e.serviceId}|${e.effectiveDate.slice(0, 7)}`;
    const seen = latest.get(key);
    if (!seen || seen.setAt < e.setAt) latest.set(key, e);
  }
  const months = [...new Set([...latest.values()].map((e) => e.effectiveDate.slice(0, 7)))].sort();
  if (!months.length) return [];
  const span: string[] = [];
  for (let m = months[0]!; m <= months[months.length - 1]!; m = nextMonth(m)) span.push(m);
  const services = [...new Set([...latest.values()].map((e) => e.serviceId))].sort((a, b) => a - b);
  return services.map((serviceId) => {
    const perContract = new Map<number, number>();
    const points = span.map((month) => {
      let written = false;
      for (const e of latest.values()) {
        if (e.serviceId === serviceId && e.effectiveDate.startsWith(month)) {
          perContract.set(e.contractId, e.units);
          written = true;
        }
      }
      return { month, units: perContract.size ? [...perContract.values()].reduce((a, b) => a + b, 0) : null, written };
    });
    return { serviceId, name: serviceName(serviceId), points };
  });
}

const SVG = 'http://www.w3.org/2000/svg';
function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const DASHES = ['', '8 4', '2 4', '12 4 2 4'];
const COLOURS = ['#0b5cad', '#a15c00', '#1b7f3a', '#6b3fa0'];
function marker(kind: number, x: number, y: number, colour: string): SVGElement {
  const r = 5;
  switch (kind % 4) {
    case 0: return s('circle', { cx: x, cy: y, r, fill: colour });
    case 1: return s('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: '#fff', stroke: colour, 'stroke-width': 2 });
    case 2: return s('polygon', { points: `${x},${y - r - 1} ${x + r + 1},${y + r} ${x - r - 1},${y + r}`, fill: colour });
    default: return s('polygon', { points: `${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}`, fill: '#fff', stroke: colour, 'stroke-width': 2 });
  }
}

/** One sentence per service: what a screen reader says for the picture. */
export function describeSeries(series: readonly UnitSeries[]): string {
  return series.map((ser) => {
    const known = ser.points.filter((p) => p.units !== null);
    const first = known[0]!;
    const last = known[known.length - 1]!;
    const max = Math.max(...known.map((p) => p.units!));
    if (first === last) return `${ser.name}: ${first.units} units in ${first.month}, its first month billed.`;
    return `${ser.name}: ${first.units} units in ${first.month}, ${last.units} in ${last.month} (highest ${max}).`;
  }).join(' ');
}

export function unitsChart(series: readonly UnitSeries[], titleId: string): SVGSVGElement {
  const months = series[0]?.points.map((p) => p.month) ?? [];
  const width = 720;
  const height = 260;
  // Room on the right for each line's name and last value: the lines are named there, not by colour.
  const pad = { left: 44, right: 250, top: 16, bottom: 36 };
  const max = Math.max(1, ...series.flatMap((ser) => ser.points.map((p) => p.units ?? 0)));
  const step = Math.pow(10, Math.floor(Math.log10(max)));
  const top = Math.ceil(max / step) * step;
  const x = (i: number) => pad.left + (months.length <= 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (months.length - 1));
  const y = (units: number) => pad.top + (1 - units / top) * (height - pad.top - pad.bottom);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId, class: 'units-chart' });
  const ticks = [0, top / 2, top];
  for (const t of ticks) {
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t), stroke: '#d9dee6' }), s('text', { x: pad.left - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'axis' }, String(t)));
  }
  const every = Math.ceil(months.length / 8);
  months.forEach((m, i) => {
    if (i % every === 0 || i === months.length - 1) svg.append(s('text', { x: x(i), y: height - pad.bottom + 18, 'text-anchor': 'middle', class: 'axis' }, m));
  });
  svg.append(s('text', { x: 4, y: pad.top - 4, class: 'axis' }, 'units'));
  // Labels at the line ends, nudged apart when two services end at the same height.
  const labelYs: number[] = [];
  series.forEach((ser, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const known = ser.points.map((p, i) => ({ ...p, i })).filter((p): p is typeof p & { units: number } => p.units !== null);
    const d = known.map((p, j) => `${j ? 'L' : 'M'}${x(p.i)},${y(p.units)}`).join(' ');
    svg.append(s('path', { d, fill: 'none', stroke: colour, 'stroke-width': 2.5, 'stroke-dasharray': DASHES[k % DASHES.length]!, 'data-service': ser.serviceId }));
    known.forEach((p) => {
      const m = marker(k, x(p.i), y(p.units), colour);
      m.append(s('title', {}, `${ser.name}, ${p.month}: ${p.units} units${p.written ? '' : ' (unchanged)'}`));
      svg.append(m);
    });
    const last = known[known.length - 1]!;
    let ly = y(last.units) + 4;
    while (labelYs.some((o) => Math.abs(o - ly) < 14)) ly += 14;
    labelYs.push(ly);
    svg.append(
      s('line', { x1: width - pad.right + 16, x2: width - pad.right + 44, y1: ly - 4, y2: ly - 4, stroke: colour, 'stroke-width': 2.5, 'stroke-dasharray': DASHES[k % DASHES.length]! }),
      marker(k, width - pad.right + 30, ly - 4, colour),
      s('text', { x: width - pad.right + 50, y: ly, class: 'series-label' }, `${ser.name}: ${last.units}`));
  });
  return svg;
}
