/**
 * The records a run passes between its steps, as one zod schema each: a company's plan (stored
 * per company, carried in the company workflow's input) and a service's result (saved with a
 * confirmed write, recorded as a result row). Workflows, activities and the API validate against
 * these and take their types from them, so the shapes cannot drift apart.
 */
import { z } from 'zod';
import { companyStatuses } from './vocabulary.ts';

export const problemCodes = [
  'contract_not_found',
  'contract_wrong_company',
  'contract_not_recurring',
  'contract_inactive',
  'contract_ended',
  'contract_not_started',
  'contract_shared',
  'product_not_mapped',
  'no_product_mappings',
  'count_out_of_range',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

/**
 * Why a service gets its target: `count` the month-end count (0 included), `product_removed` the
 * company no longer has the product at all; the rest come from the ownership ledger
 * (sync/ownership.ts): the pair it billed before, zeroed because billing moved or was released.
 */
export const unitReasons = ['count', 'product_removed', 'moved_contract', 'moved_service', 'released'] as const;
export type UnitReason = (typeof unitReasons)[number];

export const unitActionSchema = z.object({
  serviceId: z.number().int(),
  serviceName: z.string(),
  /** The products whose counts make up the target (several may share a service). */
  productIds: z.array(z.string()),
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  reason: z.enum(unitReasons),
  /** The contract to write, when it is not the plan's own (a pair left on the previous contract). */
  contractId: z.number().int().optional(),
  /**
   * The date to write from, when it is not the plan's: a pair zeroed on a contract that starts
   * later than that date (Autotask refuses a date before the contract's start). Not `.regex()`,
   * for the reason given at `companyPlanSchema.effectiveDate`.
   */
  effectiveDate: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s), 'expected YYYY-MM-DD').optional(),
  /**
   * The contract service's unit price from the run's batched read, so a dry run can say what the
   * invoice will change by; null when the contract has no such service yet (Autotask picks the
   * price when the adjustment creates it), absent in plans made before prices were read.
   */
  unitPrice: z.number().nullable().optional(),
  /**
   * An earlier run's adjustment to this pair has not read back (docs/design.md rule 8): the write
   * path checks it even when the units already look right, so the run reports it until it shows
   * or the MSP abandons it. Absent in plans made before the rule.
   */
  awaitsAdjustment: z.boolean().optional(),
});
export type UnitAction = z.infer<typeof unitActionSchema>;

export const problemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.enum(problemCodes),
  detail: z.string(),
});
export type Problem = z.infer<typeof problemSchema>;

/** A company's part of a run: the unit changes to make and the problems to report. */
export const companyPlanSchema = z.object({
  pbCompanyId: z.string().min(1),
  pbCompanyName: z.string(),
  contractId: z.number().int(),
  contractName: z.string().nullable(),
  /**
   * The company's own effective date (sync/effective-date.ts); absent in plans made before it
   * existed. Not `.regex()`: these schemas are module-level, the workflow sandbox freezes them,
   * and zod resets a shared RegExp's lastIndex; a literal inside the check is new on every call.
   */
  effectiveDate: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s), 'expected YYYY-MM-DD').optional(),
  actions: z.array(unitActionSchema),
  problems: z.array(problemSchema),
  /**
   * Pairs this company billed that nothing bills now because the MSP stopped billing a product
   * (not billed, or its mapping removed): left as they are (rule 8b), and listed in the run's
   * results so the MSP sees them. Absent in plans made before the ownership ledger.
   */
  leftBehind: z
    .array(z.object({ contractId: z.number().int(), serviceId: z.number().int(), serviceName: z.string(), productIds: z.array(z.string()), units: z.number().int(), cause: z.enum(['not_billed', 'not_configured']) }))
    .optional(),
});
export type CompanyPlan = z.infer<typeof companyPlanSchema>;

/** What happened to one service of a company in a run (one result row). */
export const productResultSchema = z.object({
  productId: z.string(),
  serviceId: z.number().int().nullable(),
  action: z.string(),
  status: z.enum(companyStatuses),
  unitsBefore: z.number().int().nullable(),
  unitsAfter: z.number().int().nullable(),
  adjustmentId: z.number().int().nullable(),
  errorType: z.string().nullable(),
  detail: z.string().nullable(),
  /*
   * The fields below came with the ownership ledger (docs/design.md rule 8b) and money made
   * visible. Optional: results saved on a claim or recorded in a workflow history before them
   * must still parse.
   */
  /** Why the service got its target (the action's reason); null for a row without an action. */
  reason: z.enum(unitReasons).nullable().optional(),
  /** The contract written when it is not the company's own (a pair zeroed on a previous contract). */
  contractId: z.number().int().nullable().optional(),
  /** The contract service's unit price; null when unknown (a service not yet on the contract). */
  unitPrice: z.number().nullable().optional(),
  /** (units after − units before) × unit price: what the next invoice changes by; null when unknown. */
  amountChange: z.number().nullable().optional(),
});
export type ProductResult = z.infer<typeof productResultSchema>;
