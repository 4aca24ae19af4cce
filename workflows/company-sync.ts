/**
 * companySync: one Password Boss company's part of a run. One local activity applies its plan
 * through Autotask's read → adjust → confirm and records units before → after (or the error) per
 * service; a company with nothing to write has its outcome recorded by a local activity too.
 * Its workflow ID is the business ID `company-sync/<partnerId>/<pbCompanyId>`, so two runs never
 * sync the same company at the same time.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { companyOutcome, failedResult, resultWithoutWrite, syncResultOf, type CompanyOutcome, type CompanySyncResult } from '../sync/company-outcome.ts';
import { bookkeeping, companyWrites } from './activity-options.ts';
import { applicationFailureOf } from './failure-cause.ts';
import { companySyncInputSchema, type CompanySyncInput } from './inputs.ts';

export type { CompanySyncResult };

export async function companySync(raw: CompanySyncInput): Promise<CompanySyncResult> {
  const parsed = companySyncInputSchema().safeParse(raw);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid companySync input: ${parsed.error.message}`, 'InvalidInput');
  const input = parsed.data;
  const { plan, dryRun } = input;
  const record = async (outcome: CompanyOutcome) => {
    await bookkeeping.recordCompanyResult({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: plan.pbCompanyId, contractId: plan.contractId, dryRun, ...outcome });
    return syncResultOf(plan, outcome);
  };
  const withoutWrites = plan.actions.map((a) => resultWithoutWrite(a, dryRun));
  if (withoutWrites.every((r) => r !== undefined)) {
    // Nothing to write (already correct, a problem to report, or a dry run): the outcome is known
    // here, and recording it in the worker's own process saves the server an activity task.
    return record(companyOutcome(plan, withoutWrites, dryRun));
  }
  try {
    return await companyWrites.applyCompanyPlan(input);
  } catch (err) {
    // Retries ran out (Autotask or the database kept failing) or the plan could not be applied:
    // the company gets the reason, and the next run starts again from Autotask's real units.
    const failure = applicationFailureOf(err);
    const detail = `${failure?.message ?? (err as Error).message} — the sync gave up on this company for now; the next sync tries again`;
    return record(companyOutcome(plan, withoutWrites.map((r, i) => r ?? failedResult(plan.actions[i]!, failure?.type ?? 'Unknown', detail)), dryRun));
  }
}
