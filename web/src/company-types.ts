/**
 * Which Autotask company types the mapping screens offer (issue 17): Customers by default, so
 * Prospects and Leads do not crowd the suggestions and the company search. Kept for the tab.
 */
import { h } from './dom.ts';

const TYPES: Array<[number, string]> = [[1, 'Customer'], [2, 'Lead'], [3, 'Prospect'], [8, 'Partner'], [7, 'Vendor'], [6, 'Cancelation'], [4, 'Dead']];
const KEY = 'pbas.companyTypes';

export interface CompanyTypeFilter {
  element: HTMLElement;
  /** The ticked types, for `types=` / `companyTypes=`. */
  value(): number[];
}

export function companyTypeFilter(onChange: () => void): CompanyTypeFilter {
  const saved = (sessionStorage.getItem(KEY) ?? '1').split(',').map(Number).filter((n) => TYPES.some(([id]) => id === n));
  const boxes = TYPES.map(([id]) => {
    const box = h('input', { type: 'checkbox', value: String(id), checked: saved.includes(id), onchange: () => {
      // Never none: an empty filter would hide every company.
      if (!boxes.some((b) => b.checked)) box.checked = true;
      sessionStorage.setItem(KEY, value().join(','));
      onChange();
    } });
    return box;
  });
  const value = () => boxes.filter((b) => b.checked).map((b) => Number(b.value));
  const element = h('fieldset', { class: 'types' }, h('legend', {}, 'Autotask company types'), ...boxes.map((b, i) => h('label', { class: 'check' }, b, TYPES[i]![1])));
  return { element, value };
}
