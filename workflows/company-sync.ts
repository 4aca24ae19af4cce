/**
 * companySync: one Password Boss company's part of a run. Applies its plan through Autotask's
 * read → adjust → confirm, and records units before → after (or the error) per service. Its
 * workflow ID is the business ID `company-sync/<partnerId>/<pbCompanyId>`, so two runs never
 * sync the same company at the same time.
 */
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { CompanyStatus } from '../db/schema.ts';
import type { ProductResult } from '../activities/company.ts';
import { plannedStatus, type CompanyPlan } from '../sync/plan.ts';
import { autotaskWrites, localBookkeeping } from './activity-options.ts';
import { companySyncInputSchema, type CompanySyncInput } from './inputs.ts';

export interface CompanySyncResult {
  pbCompanyId: string;
  status: CompanyStatus;
  unitsChanged: number;
  adjustments: number;
}

export async function companySync(raw: CompanySyncInput): Promise<CompanySyncResult> {
  const parsed = companySyncInputSchema().safeParse(raw);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid companySync input: ${parsed.error.message}`, 'InvalidInput');
  const input = parsed.data;
  const plan = input.plan as CompanyPlan;

  const results: ProductResult[] = [];
  let unitsChanged = 0;
  let adjustments = 0;
  const errors: string[] = plan.problems.filter((p) => p.severity === 'error').map((p) => p.detail);
  const warnings: string[] = plan.problems.filter((p) => p.severity === 'warning').map((p) => p.detail);

  for (const action of plan.actions) {
    const productId = action.productIds.join('+');
    const base = { productId, serviceId: action.serviceId, unitsBefore: action.from, errorType: null, adjustmentId: null };
    if (action.from === action.to) {
      results.push({ ...base, action: 'unchanged', status: 'ok', unitsAfter: action.to, detail: `${action.serviceName}: ${action.to} units, already correct` });
      continue;
    }
    if (input.dryRun) {
      results.push({ ...base, action: 'would_set', status: 'ok', unitsAfter: action.to, detail: `${action.serviceName}: would set ${action.from} → ${action.to}` });
      continue;
    }
    try {
      const done = await autotaskWrites.setContractServiceUnits({ partnerId: input.partnerId, contractId: plan.contractId, serviceId: action.serviceId, effectiveDate: input.effectiveDate, target: action.to, knownCurrent: action.from });
      const changed = done.adjustmentId !== null || done.appliedEarlier;
      if (changed) {
        adjustments += 1;
        unitsChanged += Math.abs(done.after - done.before);
      }
      results.push({ ...base, unitsBefore: done.before, unitsAfter: done.after, adjustmentId: done.adjustmentId, action: changed ? 'set' : 'unchanged', status: 'ok', detail: `${action.serviceName}: ${done.before} → ${done.after}${action.reason === 'product_removed' ? ' (product no longer used)' : ''}${done.appliedEarlier ? ' (confirmed after a retry; Autotask did not return the adjustment id)' : ''}` });
    } catch (err) {
      const failure = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
      const detail = failure?.message ?? (err as Error).message;
      log.warn('setting units failed', { pbCompanyId: plan.pbCompanyId, serviceId: action.serviceId, type: failure?.type });
      errors.push(detail);
      results.push({ ...base, action: 'set', status: 'error', unitsAfter: null, errorType: failure?.type ?? 'Unknown', detail });
    }
  }

  const status: CompanyStatus = errors.length ? 'error' : warnings.length || plannedStatus(plan) === 'warning' ? 'warning' : 'ok';
  const detail = errors[0] ?? warnings[0] ?? summarise(results, input.dryRun);
  if (results.length === 0 && plan.problems.length === 0) {
    results.push({ productId: '', serviceId: null, action: 'none', status: 'ok', unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: null, detail });
  }
  if (errors.length && !results.some((r) => r.status === 'error')) {
    results.push({ productId: '', serviceId: null, action: 'problem', status: 'error', unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: plan.problems[0]?.code ?? null, detail: errors[0]! });
  }
  await localBookkeeping.recordCompanyResult({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: plan.pbCompanyId, contractId: plan.contractId, dryRun: input.dryRun, status, detail, results, unitsChanged, adjustments });
  return { pbCompanyId: plan.pbCompanyId, status, unitsChanged, adjustments };
}

function summarise(results: ProductResult[], dryRun: boolean): string {
  if (results.length === 0) return 'No users to bill and nothing billed';
  const changed = results.filter((r) => r.action === 'set' || r.action === 'would_set');
  if (changed.length === 0) return `Up to date: ${results.map((r) => r.detail).join('; ')}`;
  return `${dryRun ? 'Dry run — ' : ''}${changed.map((r) => r.detail).join('; ')}`;
}
