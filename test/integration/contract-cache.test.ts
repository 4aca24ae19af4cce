/**
 * Contracts between runs (issue 15, docs/design.md "Contracts between runs"): a run reads only the
 * contracts Autotask stamped as modified since the last read, sees a change Autotask stamped, and
 * reads again before writing any cached contract it would write to, so a change Autotask did not
 * stamp cannot bill a contract that may no longer take units. Real Temporal, worker, PGlite and
 * both simulators over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { contractCacheState } from '../../db/schema.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';

const ENDED = '2026-10-31';

describe('contracts between runs', () => {
  let stack: Stack;
  let mapped: string[];
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 6 } });
    ({ mapped } = await setUpPartner(stack));
  });
  afterAll(async () => stack?.close());

  const contractOf = (id: string) => stack.sims.autotask.state.contract(stack.sims.demo.mappings.find((m) => m.pbCompanyId === id)!.autotaskContractId)!;
  /** The Contracts queries a run sent, by what they filtered on. */
  const contractQueries = () =>
    stack.sims.autotask.faults.log.filter((r) => /\/Contracts\/query$/i.test(r.path)).map((r) => JSON.stringify((r.body as { filter: unknown }).filter));
  const bumpCount = (id: string) => (stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.find((c) => c.companyId === id)!.users += 3);
  const adjustmentsOn = (contractId: number, since: number) => stack.sims.autotask.state.adjustments.slice(since).filter((a) => a.contractID === contractId);
  const companyStatus = async (id: string) => {
    const res = await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}/company-mappings?limit=100`, headers: bearer(stack.adminKey) });
    return (res.json() as { items: Array<{ pbCompanyId: string; status: string; detail: string | null }> }).items.find((c) => c.pbCompanyId === id)!;
  };

  /** A run reads its contracts by id (nothing usable cached), and the next only those modified since. */
  async function expectByIdThenModifiedSince() {
    stack.sims.autotask.faults.log = [];
    await syncNow(stack, stack.partnerId);
    expect(contractQueries()).toEqual([expect.stringMatching(/"op":"in","field":"id"/)]);

    stack.sims.autotask.faults.log = [];
    await syncNow(stack, stack.partnerId);
    expect(contractQueries()).toEqual([expect.stringMatching(/"op":"gt","field":"lastModifiedDateTime"/)]);
  }

  it('reads every contract on the first run, and on the next only those Autotask modified since', async () => {
    stack.sims.autotask.faults.logBodies = true;
    await expectByIdThenModifiedSince();
  });

  it('reads by id again, not everything modified since, when the cache is more than a week old', async () => {
    // A partner paused for weeks: the tenant's changes since then may be most of its contracts.
    await stack.db.db.update(contractCacheState).set({ readThrough: new Date(Date.now() - 8 * 24 * 3_600_000) }).where(eq(contractCacheState.partnerId, stack.partnerId));
    await expectByIdThenModifiedSince();
  });

  /** The next run holds the company for its ended contract and writes nothing to it; the contract is restored after. */
  async function expectHeldForEndedContract(id: string, contract: ReturnType<typeof contractOf>, endDate: typeof contract.endDate) {
    const since = stack.sims.autotask.state.adjustments.length;
    try {
      await syncNow(stack, stack.partnerId);
      expect(adjustmentsOn(contract.id, since)).toEqual([]);
      expect(await companyStatus(id)).toMatchObject({ status: 'error', detail: expect.stringContaining(`ended on ${ENDED}`) });
    } finally {
      contract.endDate = endDate;
      contract.lastModifiedDateTime = new Date().toISOString();
    }
  }

  it('sees a contract Autotask stamped as modified: the company is held for its ended contract', async () => {
    const id = mapped[0]!;
    const contract = contractOf(id);
    const endDate = contract.endDate;
    contract.endDate = ENDED;
    contract.lastModifiedDateTime = new Date().toISOString();
    bumpCount(id);
    await expectHeldForEndedContract(id, contract, endDate);
  });

  it('reads a cached contract again before writing to it, so an unstamped change writes nothing', async () => {
    await syncNow(stack, stack.partnerId);
    const id = mapped[1]!;
    const contract = contractOf(id);
    const endDate = contract.endDate;
    // Ended in Autotask without a new lastModifiedDateTime: the modified-since read cannot see it.
    contract.endDate = ENDED;
    bumpCount(id);
    await expectHeldForEndedContract(id, contract, endDate);
  });
});
