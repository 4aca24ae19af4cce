/**
 * A read whose answer arrives cut off or garbled (a 200 whose body is not JSON: a dropped
 * connection mid-body, a proxy's page) is a transient failure: reading again is safe, so the run
 * retries it and ends exact, instead of failing every company with a detail the MSP cannot act on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { actualUnits, expectedUnits, setUpPartner, syncNow } from '../support/partner-setup.ts';

const EFFECTIVE = '2026-11-01';

describe('garbled answers to reads', () => {
  let stack: Stack;
  let mapped: string[];
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 8 } });
    ({ mapped } = await setUpPartner(stack));
  });
  afterAll(async () => stack?.close());

  it.each([
    ['Password Boss\'s month-end counts', 'passwordboss', { path: 'month-end-counts' }],
    ['Autotask\'s contracts', 'autotask', { method: 'POST', path: 'Contracts/query' }],
    ['Autotask\'s units', 'autotask', { method: 'POST', path: 'ContractServiceUnits/query' }],
  ] as const)('%s cut off once: the run retries the read and ends exact', async (_name, system, where) => {
    stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.forEach((c) => (c.users += 1));
    const faults = stack.sims[system].faults;
    faults.add({ ...where, fault: { kind: 'malformed' } });
    const { run } = await syncNow(stack, stack.partnerId);
    expect(faults.rules).toEqual([]); // the fault fired
    expect(run).toMatchObject({ status: 'ok', failed: 0, done: mapped.length });
    for (const id of mapped) expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE)), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
  });
});
