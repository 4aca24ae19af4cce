/**
 * Workflow inputs, validated with zod inside the workflow so a hand-typed start from the Temporal
 * UI (`{"partnerId": "…"}`) gets a clear, non-retryable failure when it is wrong.
 */
import { z } from 'zod';

export const syncTriggers = ['manual', 'schedule', 'temporal-ui', 'api'] as const;

export const partnerSyncInputSchema = z
  .object({
    partnerId: z.string().min(1),
    companyIds: z.array(z.string().min(1)).max(10_000).optional(),
    dryRun: z.boolean().optional(),
    trigger: z.enum(syncTriggers).optional(),
  })
  .strict();

export type PartnerSyncInput = z.infer<typeof partnerSyncInputSchema>;

export const partnerWorkflowId = (partnerId: string, kind: 'now' | 'dry-run' | 'scheduled') =>
  `partner-sync/${partnerId}/${kind}`;
export const companyWorkflowId = (partnerId: string, pbCompanyId: string) =>
  `company-sync/${partnerId}/${pbCompanyId}`;
export const scheduleId = (partnerId: string) => `partner-sync/${partnerId}`;
