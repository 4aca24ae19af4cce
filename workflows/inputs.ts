/**
 * Workflow inputs, validated with zod inside the workflow so a hand-typed start from the Temporal
 * UI (`{"partnerId": "…"}`) gets a clear, non-retryable failure when it is wrong.
 */
import { z } from 'zod';
import { companyPlanSchema } from '../sync/records.ts';

export const syncTriggers = ['manual', 'schedule', 'temporal-ui', 'api'] as const;

/**
 * Schemas are built on first use, not at module load. The worker preloads this module into its
 * shared cache (shared-modules.ts), so each schema is built once per worker and reused by every
 * execution: zod schemas keep no state between parses.
 */
function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

const buildTotalsSchema = () => z.object({
  done: z.number().int(),
  failed: z.number().int(),
  unitsChanged: z.number().int(),
  adjustments: z.number().int(),
});

const buildPartnerSyncInputSchema = () => z
  .object({
    partnerId: z.string().min(1),
    companyIds: z.array(z.string().min(1)).max(10_000).optional(),
    dryRun: z.boolean().optional(),
    trigger: z.enum(syncTriggers).optional(),
    /** Fan-out knobs; the defaults suit production, tests shrink them. */
    tuning: z
      .object({
        childConcurrency: z.number().int().min(1).max(500).optional(),
        continueAsNewAfter: z.number().int().min(1).max(1_000).optional(),
        pageSize: z.number().int().min(1).max(1_000).optional(),
      })
      .strict()
      .optional(),
    /** Set by the workflow itself when it continues as new. */
    continuation: z
      .object({
        afterPosition: z.number().int().min(0),
        billingMonth: z.string(),
        effectiveDate: z.string(),
        total: z.number().int(),
        totals: buildTotalsSchema(),
        detail: z.string().nullable(),
        generation: z.number().int(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const partnerSyncInputSchema = lazy(buildPartnerSyncInputSchema);
export type PartnerSyncInput = z.input<ReturnType<typeof buildPartnerSyncInputSchema>>;
export type Totals = z.infer<ReturnType<typeof buildTotalsSchema>>;

const buildCompanySyncInputSchema = () => z
  .object({
    partnerId: z.string().min(1),
    runId: z.string().min(1),
    effectiveDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    dryRun: z.boolean(),
    plan: companyPlanSchema,
  })
  .strict();
export const companySyncInputSchema = lazy(buildCompanySyncInputSchema);
export type CompanySyncInput = z.infer<ReturnType<typeof buildCompanySyncInputSchema>>;

export const partnerWorkflowId = (partnerId: string, kind: 'now' | 'dry-run' | 'scheduled') =>
  `partner-sync/${partnerId}/${kind}`;
export const companyWorkflowId = (partnerId: string, pbCompanyId: string) =>
  `company-sync/${partnerId}/${pbCompanyId}`;
export const scheduleId = (partnerId: string) => `partner-sync/${partnerId}`;
/** The service's one month-end reminder schedule, and the workflow it starts. */
export const MONTH_END_REMINDERS_ID = 'month-end-reminders';
