/**
 * Modules every workflow execution would otherwise evaluate afresh in the worker's reusable V8
 * context: our input schemas, and zod through them. The worker preloads this file once
 * (worker/bundle-options.ts), so they land in the context's shared module cache; building zod and
 * the schemas per child workflow was the largest share of the worker's CPU.
 *
 * The worker freezes shared modules and the context's globals after preloading, and zod finishes
 * its own set-up lazily (default locale, memoizer, eval probe). So this file uses the schemas
 * once, valid and invalid input alike, while everything can still be written.
 */
import { companySyncInputSchema, partnerSyncInputSchema } from './inputs.ts';

// Every optional field present (with a value and with null): zod sets up a field's parser on the
// first parse that reaches it, and a field first reached after the freeze fails the workflow task.
const plan = {
  pbCompanyId: 'c',
  pbCompanyName: 'C',
  contractId: 1,
  contractName: null,
  effectiveDate: '2026-11-01',
  actions: [
    { serviceId: 1, serviceName: 'S', productIds: ['p'], from: 0, to: 1, reason: 'count', contractId: 2, unitPrice: 1.5 },
    { serviceId: 2, serviceName: 'S', productIds: ['p'], from: 1, to: 0, reason: 'moved_service', unitPrice: null },
  ],
  problems: [{ severity: 'warning', code: 'w', detail: 'd' }],
  leftBehind: [{ contractId: 1, serviceId: 3, serviceName: 'S', productIds: ['p'], units: 1, cause: 'not_billed' }],
};
companySyncInputSchema().safeParse({ partnerId: 'p', runId: 'r', effectiveDate: '2026-11-01', dryRun: false, plan });
companySyncInputSchema().safeParse({ partnerId: '', runId: 1, effectiveDate: 'x', dryRun: 'no', plan: { ...plan, actions: [{}] }, extra: true });
partnerSyncInputSchema().safeParse({ partnerId: 'p', companyIds: ['c'], dryRun: true, trigger: 'api', tuning: { childConcurrency: 1 }, continuation: { afterPosition: 0, billingMonth: '2026-10', effectiveDate: '2026-11-01', total: 1, totals: { done: 0, failed: 0, unitsChanged: 0, adjustments: 0 }, detail: null, generation: 0 } });
partnerSyncInputSchema().safeParse({ partner: 'p', trigger: 'nope', tuning: { childConcurrency: 0 } });
