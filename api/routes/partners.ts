import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { listApiKeys, mintApiKey, revokeApiKey } from '../../db/repositories/api-keys.ts';
import { listPartnerOverview } from '../../db/repositories/partner-overview.ts';
import { deletePartnerRow, findPartner, insertPartner } from '../../db/repositories/partners.ts';
import { runStatuses } from '../../sync/vocabulary.ts';
import { principalOf, requireAdmin, requirePartner } from '../plugins/auth.ts';
import { conflict, errorBodySchema, notFound } from '../errors.ts';
import { ianaTimezone, partnerIdSchema, partnerParams } from '../schemas.ts';
import { randomUUID } from 'node:crypto';

export interface PartnerRouteDeps {
  db: Db;
  /** Removes what lives outside the database (the Temporal schedule). */
  onPartnerDeleted: (partnerId: string) => Promise<void>;
}

const partnerSchema = z
  .object({ id: z.string(), name: z.string(), timezone: z.string(), createdAt: z.date() })
  .meta({ id: 'Partner' });
export type PartnerView = z.output<typeof partnerSchema>;

const partnerOverviewSchema = partnerSchema
  .extend({
    lastRun: z
      .object({ id: z.uuid(), status: z.enum(runStatuses), trigger: z.string(), startedAt: z.date(), finishedAt: z.date().nullable(), total: z.number().int(), failed: z.number().int() })
      .nullable(),
  })
  .meta({ id: 'PartnerOverview' });
export type PartnerOverviewView = z.output<typeof partnerOverviewSchema>;

const apiKeySchema = z
  .object({ id: z.uuid(), prefix: z.string(), label: z.string().nullable(), createdAt: z.date(), revokedAt: z.date().nullable() })
  .meta({ id: 'ApiKey' });

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

const partnerRoutes: FastifyPluginAsyncZod<PartnerRouteDeps> = async (app, { db, onPartnerDeleted }) => {
  app.get('/v1/me', {
    schema: {
      tags: ['partners'],
      summary: 'Who this key is: the admin, or a partner (so a portal knows which partner to show)',
      response: { 200: z.object({ role: z.enum(['admin', 'partner']), partner: partnerSchema.nullable() }), ...errors },
    },
  }, async (request) => {
    const p = principalOf(request);
    if (p.kind === 'admin') return { role: 'admin' as const, partner: null };
    return { role: 'partner' as const, partner: p.partner };
  });

  app.post('/v1/partners', {
    config: { access: 'admin' },
    schema: {
      tags: ['partners'],
      summary: 'Create a partner (admin)',
      body: z.object({ id: partnerIdSchema.optional(), name: z.string().trim().min(1).max(200), timezone: ianaTimezone.default('UTC') }).strict(),
      response: { 201: partnerSchema, ...errors },
    },
  }, async (request, reply) => {
    requireAdmin(request);
    const id = request.body.id ?? `p-${randomUUID().slice(0, 8)}`;
    if (await findPartner(db, id)) throw conflict('partner_exists', `partner '${id}' already exists`);
    return reply.code(201).send(await insertPartner(db, { id, name: request.body.name, timezone: request.body.timezone }));
  });

  app.get('/v1/partners', {
    config: { access: 'admin' },
    schema: {
      tags: ['partners'],
      operationId: 'listPartners',
      summary: 'Every partner with its last run, failing partners first (admin)',
      description: '`lastRun` is the newest finished run that was not a dry run (null before the first). Partners whose last run ended `error`, `failed`, `warning` or `held` come first, in that order, then the rest by name.',
      response: {
        200: z.object({ items: z.array(partnerOverviewSchema) }).meta({ examples: [{ items: [{ id: 'northwind', name: 'Northwind', timezone: 'America/New_York', createdAt: '2026-09-01T12:00:00.000Z', lastRun: { id: '01a22945-800f-767f-a844-0f7ec2c3e2b4', status: 'warning', trigger: 'schedule', startedAt: '2026-11-27T07:00:00.000Z', finishedAt: '2026-11-27T07:01:12.000Z', total: 37, failed: 2 } }] }] }),
        ...errors,
      },
    },
  }, async (request) => {
    requireAdmin(request);
    return { items: await listPartnerOverview(db) };
  });

  app.get('/v1/partners/:pid', {
    schema: { tags: ['partners'], summary: 'Read a partner', params: partnerParams, response: { 200: partnerSchema, ...errors } },
  }, async (request) => requirePartner(db, request, request.params.pid));

  app.delete('/v1/partners/:pid', {
    config: { access: 'admin' },
    schema: { tags: ['partners'], summary: 'Delete a partner, its data and its schedule (admin)', params: partnerParams, response: { 204: z.undefined(), ...errors } },
  }, async (request, reply) => {
    requireAdmin(request);
    if (!(await findPartner(db, request.params.pid))) throw notFound(`partner '${request.params.pid}'`);
    await onPartnerDeleted(request.params.pid);
    await deletePartnerRow(db, request.params.pid);
    return reply.code(204).send();
  });

  app.post('/v1/partners/:pid/api-keys', {
    config: { access: 'admin' },
    schema: {
      tags: ['partners'],
      summary: 'Mint a partner API key (admin); the key is shown once',
      params: partnerParams,
      body: z.object({ label: z.string().max(100).optional() }).strict().default({}),
      response: { 201: apiKeySchema.omit({ revokedAt: true }).extend({ key: z.string() }), ...errors },
    },
  }, async (request, reply) => {
    requireAdmin(request);
    await requirePartner(db, request, request.params.pid);
    const minted = await mintApiKey(db, request.params.pid, request.body.label);
    return reply.code(201).send({ ...minted, label: request.body.label ?? null });
  });

  app.get('/v1/partners/:pid/api-keys', {
    config: { access: 'admin' },
    schema: { tags: ['partners'], summary: 'List API keys (admin; never the keys)', params: partnerParams, response: { 200: z.object({ items: z.array(apiKeySchema) }), ...errors } },
  }, async (request) => {
    requireAdmin(request);
    await requirePartner(db, request, request.params.pid);
    return { items: await listApiKeys(db, request.params.pid) };
  });

  app.delete('/v1/partners/:pid/api-keys/:keyId', {
    config: { access: 'admin' },
    schema: { tags: ['partners'], summary: 'Revoke an API key (admin)', params: partnerParams.extend({ keyId: z.uuid() }), response: { 204: z.undefined(), ...errors } },
  }, async (request, reply) => {
    requireAdmin(request);
    await requirePartner(db, request, request.params.pid);
    if (!(await revokeApiKey(db, request.params.pid, request.params.keyId))) throw notFound(`API key ${request.params.keyId}`);
    return reply.code(204).send();
  });
};

export default partnerRoutes;
