/**
 * Adjustments Autotask accepted that never read back (docs/design.md rule 8): the service never
 * posts to such a pair again by itself, because the adjustment may still land and count twice.
 * Each run reports it until the units show it (it confirms itself) or the MSP, having checked
 * Autotask, abandons it here; the next run then posts afresh from the units it reads.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { abandonAdjustment, listUnreadAdjustments, type UnreadAdjustment } from '../../db/repositories/unit-writes.ts';
import { conflict, errorBodySchema, notFound } from '../errors.ts';
import { requireConfiguredPartner, type Principal } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';

const adjustmentSchema = z
  .object({
    id: z.uuid().describe('this record\'s own id: abandon by it when `adjustmentId` is null'),
    adjustmentId: z.number().int().nullable().describe('the Autotask adjustment id; null when Autotask accepted it without naming it'),
    runId: z.string(),
    pbCompanyId: z.string(),
    contractId: z.number().int(),
    serviceId: z.number().int(),
    target: z.number().int().nullable().describe('the units the adjustment aimed at'),
    effectiveDate: z.string().nullable(),
    postedAt: z.date(),
    resolution: z.enum(['applied', 'abandoned']).nullable().describe('null: waiting (no sync posts to the pair); applied: its units showed up later; abandoned: the MSP declared it will never apply'),
    resolvedAt: z.date().nullable(),
    resolvedBy: z.string().nullable().describe('admin, or api-key:<key id>'),
  })
  .meta({ id: 'UnreadAdjustment' });

const example: UnreadAdjustment = {
  id: '0190f0f0-0000-7000-8000-0000000000a1',
  adjustmentId: 90412,
  runId: '0190f0f0-0000-7000-8000-000000000002',
  pbCompanyId: 'c-0002',
  contractId: 5001,
  serviceId: 301,
  target: 12,
  effectiveDate: '2026-11-01',
  postedAt: new Date('2026-11-02T06:00:04.000Z'),
  resolution: 'abandoned',
  resolvedAt: new Date('2026-11-03T09:12:00.000Z'),
  resolvedBy: 'api-key:6f1c2d3e-0000-4000-8000-000000000001',
};

/** An Autotask adjustment id (digits) or a record's own id (a UUID): the two never look alike. */
const refSchema = z.union([z.uuid(), z.coerce.number().int().min(1).max(2_147_483_647)]).describe('the Autotask adjustment id, or the record\'s own `id`');

const actor = (p: Principal | null) => (p?.kind === 'partner' ? `api-key:${p.keyId}` : 'admin');
const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

const pendingAdjustmentRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/v1/partners/:pid/pending-adjustments', {
    schema: {
      tags: ['sync'],
      operationId: 'listPendingAdjustments',
      summary: 'Adjustments Autotask accepted that never read back',
      description: 'Waiting ones first (`resolution: null`: no sync posts to that contract service until its units show the adjustment or it is abandoned), then settled ones, newest first.',
      params: partnerParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict(),
      response: { 200: z.object({ items: z.array(adjustmentSchema) }).meta({ examples: [{ items: [example] }] }), ...errors },
    },
  }, async (request) => {
    const { pid } = request.params;
    await requireConfiguredPartner(db, request, pid);
    return { items: await listUnreadAdjustments(db, pid, request.query.limit) };
  });

  app.post('/v1/partners/:pid/pending-adjustments/:ref/abandon', {
    schema: {
      tags: ['sync'],
      operationId: 'abandonPendingAdjustment',
      summary: 'Declare that an adjustment which never read back will not apply',
      description:
        'Check the contract service in Autotask first: if the adjustment is not there (or was deleted), abandon it and the next sync posts the difference afresh from the units it reads. If it does show up later after all, the next sync sees the units off and corrects them. `ref` is the Autotask adjustment id, or the record\'s own `id` from the list — the only way to name one Autotask accepted without naming it (`adjustmentId: null`). 404 for an adjustment this partner never posted; 409 `adjustment_confirmed` when its units have already shown it, `adjustment_in_flight` while the run that posted it is still going. Abandoning twice answers the first record.',
      params: partnerParams.extend({ ref: refSchema }).strict(),
      response: { 200: adjustmentSchema.meta({ examples: [example] }), ...errors },
    },
  }, async (request) => {
    const { pid, ref } = request.params;
    await requireConfiguredPartner(db, request, pid);
    const outcome = await abandonAdjustment(db, pid, typeof ref === 'number' ? { adjustmentId: ref } : { id: ref }, actor(request.principal));
    const named = typeof ref === 'number' ? `adjustment ${ref}` : `pending adjustment ${ref}`;
    switch (outcome.kind) {
      case 'not_found':
        throw notFound(`${named} (no sync of this partner posted it)`);
      case 'in_flight':
        throw conflict('adjustment_in_flight', `${named} belongs to run ${outcome.runId}, which is still going and may yet confirm it; try again when that run has finished`);
      case 'confirmed':
        throw conflict('adjustment_confirmed', `${named} has read back as applied; there is nothing to abandon`, { resolution: outcome.adjustment.resolution ?? 'applied' });
      case 'abandoned':
        request.log.info({ adjustmentId: outcome.adjustment.adjustmentId, id: outcome.adjustment.id, contractId: outcome.adjustment.contractId, serviceId: outcome.adjustment.serviceId, by: outcome.adjustment.resolvedBy }, 'adjustment abandoned');
        return outcome.adjustment;
    }
  });
};

export default pendingAdjustmentRoutes;
