/**
 * The ownership ledger as the portal reads it (docs/design.md rule 8b): every write of units the
 * service made, per contract service and period, newest first — the history it charts — and the
 * pairs the service owns now, which a move zeroes and a stop leaves behind.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { listLedgerHistory, listOwnedPairs } from '../../db/repositories/billing-ledger.ts';
import type { Db } from '../../db/client.ts';
import { ledgerReasons } from '../../db/schema.ts';
import { errorBodySchema } from '../errors.ts';
import { requireConfiguredPartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import pendingAdjustmentRoutes from './pending-adjustments.ts';

const entrySchema = z
  .object({
    contractId: z.number().int(),
    serviceId: z.number().int(),
    effectiveDate: z.string().describe('YYYY-MM-DD: the first day the units apply'),
    units: z.number().int(),
    runId: z.string(),
    pbCompanyId: z.string().describe('the Password Boss company whose mapping produced the write'),
    productIds: z.array(z.string()),
    reason: z.enum(ledgerReasons).describe('count: the month-end count; product_removed: the company no longer has the product; moved_contract / moved_service: billing moved, this pair was set to 0; released: a stop the MSP asked to zero'),
    setAt: z.date(),
  })
  .meta({ id: 'LedgerEntry' });
export type LedgerEntryView = z.output<typeof entrySchema>;

const ownedSchema = z.object({ contractId: z.number().int(), serviceId: z.number().int(), units: z.number().int(), effectiveDate: z.string(), runId: z.string(), pbCompanyId: z.string(), productIds: z.array(z.string()) });

const example = {
  items: [
    { contractId: 5001, serviceId: 305, effectiveDate: '2026-11-01', units: 12, runId: '0190f0f0-0000-7000-8000-000000000002', pbCompanyId: 'c-0002', productIds: ['pb-standard'], reason: 'count', setAt: '2026-11-02T06:00:04.000Z' },
    { contractId: 5001, serviceId: 301, effectiveDate: '2026-11-01', units: 0, runId: '0190f0f0-0000-7000-8000-000000000002', pbCompanyId: 'c-0002', productIds: ['pb-standard'], reason: 'moved_service', setAt: '2026-11-02T06:00:03.000Z' },
  ],
  owned: [{ contractId: 5001, serviceId: 305, units: 12, effectiveDate: '2026-11-01', runId: '0190f0f0-0000-7000-8000-000000000002', pbCompanyId: 'c-0002', productIds: ['pb-standard'] }],
  limit: 100,
  offset: 0,
};

const billingLedgerRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  // What the ledger waits for: adjustments that never read back.
  await app.register(pendingAdjustmentRoutes, { db });
  app.get('/v1/partners/:pid/billing-ledger', {
    schema: {
      tags: ['sync'],
      operationId: 'getBillingLedger',
      summary: 'The units the service has set, per contract service and period, over time',
      description:
        'Every write of units the service made and Autotask confirmed, newest first (`items`), and the (contract, service) pairs it owns now (`owned`: the latest write per pair that left units). When billing moves, the run sets the pair it owned before to 0 and says why; when a company is unmapped or excluded, its owned pairs keep their units (`leftBehind` in that answer). `pbCompanyId` narrows both to one company.',
      params: partnerParams,
      querystring: z
        .object({
          pbCompanyId: z.string().min(1).max(200).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        })
        .strict(),
      response: {
        200: z.object({ items: z.array(entrySchema), owned: z.array(ownedSchema), limit: z.number().int(), offset: z.number().int() }).meta({ examples: [example] }),
        400: errorBodySchema,
        401: errorBodySchema,
        404: errorBodySchema,
        409: errorBodySchema,
      },
    },
  }, async (request) => {
    const { pid } = request.params;
    await requireConfiguredPartner(db, request, pid);
    const { pbCompanyId, limit, offset } = request.query;
    const [items, owned] = await Promise.all([listLedgerHistory(db, pid, { pbCompanyId, limit, offset }), listOwnedPairs(db, pid, pbCompanyId)]);
    return { items, owned: owned.map((p) => ({ ...p, productIds: [...p.productIds] })), limit, offset };
  });
};

export default billingLedgerRoutes;
