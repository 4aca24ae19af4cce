/**
 * Integrations > Autotask PSA: credentials (the secret is write-only), Authenticate, the
 * enabled toggle (which pauses or resumes the schedule), and the count basis.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { recordTenantBudget } from '../../deps/metrics.ts';
import type { Deps } from '../../deps/deps.ts';
import { findSettings, recordAuthentication, setEnabled, upsertSettings, type AutotaskSettingsRow } from '../../db/repositories/autotask-settings.ts';
import { authenticate, authenticationFailures, type AuthenticationResult } from '../../integrations/autotask/authenticate.ts';
import { ApiError, badRequest, errorBodySchema, notSavedYet, unprocessable } from '../errors.ts';
import { requirePartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';

export interface AutotaskSettingsRouteDeps {
  services: Deps;
  autotask: PartnerAutotask;
  /** Pauses or resumes the partner's schedule; false when the partner has none yet. */
  setSchedulePaused: (partnerId: string, paused: boolean) => Promise<boolean>;
}

const username = z.string().trim().min(3).max(200);
const secret = z.string().min(1).max(500);
const trackingIdentifier = z.string().trim().min(10).max(100).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

const settingsSchema = z
  .object({
    configured: z.boolean(),
    username: z.string().nullable(),
    hasSecret: z.boolean(),
    trackingIdentifier: z.string().nullable().describe('null: the Password Boss vendor code is used'),
    enabled: z.boolean(),
    countBasis: z.enum(['users', 'licenses']),
    zone: z.object({ name: z.string(), url: z.string() }).nullable(),
    lastAuthentication: z.object({ at: z.date(), ok: z.boolean(), detail: z.string().nullable() }).nullable(),
    updatedAt: z.date().nullable(),
  })
  .meta({ id: 'AutotaskSettings' });

const authResultSchema = z
  .object({
    ok: z.boolean(),
    zone: z.object({ name: z.string(), url: z.string(), webUrl: z.string().nullable() }).optional(),
    usage: z.object({ used: z.number().int(), threshold: z.number().int(), timeframeMinutes: z.number() }).optional(),
    failure: z.enum(authenticationFailures).optional(),
    message: z.string(),
  })
  .meta({ id: 'AuthenticationResult' });

export type SettingsView = z.output<typeof settingsSchema>;
export type AuthenticationResultView = z.output<typeof authResultSchema>;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };

export function settingsView(row: AutotaskSettingsRow | undefined): z.infer<typeof settingsSchema> {
  if (!row) return { configured: false, username: null, hasSecret: false, trackingIdentifier: null, enabled: false, countBasis: 'users', zone: null, lastAuthentication: null, updatedAt: null };
  return {
    configured: true,
    username: row.username,
    hasSecret: Boolean(row.secretCiphertext),
    trackingIdentifier: row.trackingIdentifier,
    enabled: row.enabled,
    countBasis: row.countBasis,
    zone: row.zoneName && row.zoneUrl ? { name: row.zoneName, url: row.zoneUrl } : null,
    lastAuthentication: row.lastAuthenticatedAt ? { at: row.lastAuthenticatedAt, ok: row.lastAuthenticationOk ?? false, detail: row.lastAuthenticationDetail } : null,
    updatedAt: row.updatedAt,
  };
}

/** Whether a check is of the credentials as saved (a retyped, identical secret counts as saved). */
function testsStoredCredentials(stored: AutotaskSettingsRow, body: { username: string; secret?: string | undefined }, trackingIdentifier: string | null, open: (sealed: string) => string): boolean {
  if (stored.username !== body.username || (stored.trackingIdentifier ?? null) !== trackingIdentifier) return false;
  if (body.secret === undefined) return true;
  if (!stored.secretCiphertext) return false;
  try {
    return open(stored.secretCiphertext) === body.secret;
  } catch {
    return false;
  }
}

function authView(result: AuthenticationResult): z.infer<typeof authResultSchema> {
  if (result.ok) return { ok: true, zone: result.zone, usage: result.usage, message: `Connected to Autotask zone ${result.zone.name}` };
  return { ok: false, failure: result.failure, message: result.message };
}

const autotaskSettingsRoutes: FastifyPluginAsyncZod<AutotaskSettingsRouteDeps> = async (app, deps) => {
  const { db } = deps.services;

  /** The secret to test: the one given, or the stored one when the user did not retype it. */
  async function credentials(partnerId: string, body: { username: string; secret?: string | undefined; trackingIdentifier?: string | null | undefined }) {
    const stored = await findSettings(db, partnerId);
    let plain = body.secret;
    if (plain === undefined) {
      if (!stored?.secretCiphertext) throw badRequest('secret is required the first time', [{ path: 'secret', message: 'required' }]);
      try {
        plain = deps.services.secretBox.open(stored.secretCiphertext, partnerId);
      } catch {
        throw new ApiError(409, 'secret_unreadable', 'The stored secret cannot be decrypted (the service key changed); enter the secret again');
      }
    }
    const tracking = body.trackingIdentifier === undefined ? stored?.trackingIdentifier ?? null : body.trackingIdentifier;
    return { stored, secret: plain, trackingIdentifier: tracking };
  }

  const check = async (pid: string, username: string, plainSecret: string, tracking: string | null) => {
    const result = await authenticate({ zoneLookupUrl: deps.services.autotask.zoneLookupUrl, apiHosts: deps.services.autotask.apiHosts, username, secret: plainSecret, trackingIdentifier: tracking || deps.services.autotask.defaultTrackingIdentifier, sharedSlots: deps.services.autotask.sharedSlots });
    app.limits.recordAutotaskAttempt(pid, result.ok ? 'ok' : result.failure === 'wrong_secret' ? 'wrong_secret' : 'other');
    // The tenant's hourly budget as Autotask reports it (ThresholdInformation), for /metrics.
    if (result.ok) recordTenantBudget(pid, result.usage);
    return result;
  };

  app.get('/v1/partners/:pid/autotask', {
    schema: { tags: ['autotask'], summary: 'The Autotask settings (never the secret)', params: partnerParams, response: { 200: settingsSchema, ...errors } },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    return settingsView(await findSettings(db, request.params.pid));
  });

  app.post('/v1/partners/:pid/autotask/authenticate', {
    config: { rateLimited: 'authenticate' },
    schema: {
      tags: ['autotask'],
      summary: 'Authenticate: check credentials against Autotask without saving them',
      description: 'Omit the secret to test the stored one. A failure says which part failed (unknown user, wrong secret, tracking identifier, Autotask unreachable) and what to do.',
      params: partnerParams,
      body: z.object({ username, secret: secret.optional(), trackingIdentifier: trackingIdentifier.nullable().optional() }).strict(),
      response: { 200: authResultSchema, ...errors, 429: errorBodySchema },
    },
  }, async (request, reply) => {
    await requirePartner(db, request, request.params.pid);
    app.limits.assertAutotaskAttemptAllowed(reply, request.params.pid);
    const c = await credentials(request.params.pid, request.body);
    const result = await check(request.params.pid, request.body.username, c.secret, c.trackingIdentifier);
    // The saved settings' "last checked" speaks of the saved credentials only: a secret or
    // tracking identifier typed but not saved, rejected or not, says nothing about them.
    if (c.stored && testsStoredCredentials(c.stored, request.body, c.trackingIdentifier, (sealed) => deps.services.secretBox.open(sealed, request.params.pid))) {
      await recordAuthentication(db, request.params.pid, result.ok ? { ok: true, detail: `zone ${result.zone.name}`, zoneName: result.zone.name, zoneUrl: result.zone.url } : { ok: false, detail: result.message });
    }
    return authView(result);
  });

  app.put('/v1/partners/:pid/autotask', {
    // A save re-checks changed credentials against Autotask: the same oracle as Authenticate.
    config: { rateLimited: 'authenticate' },
    schema: {
      tags: ['autotask'],
      summary: 'Save the Autotask settings',
      description: 'Changed credentials are authenticated first; a rejected change answers 422 and nothing is saved.',
      params: partnerParams,
      body: z.object({ username, secret: secret.optional(), trackingIdentifier: trackingIdentifier.nullable().optional(), enabled: z.boolean(), countBasis: z.enum(['users', 'licenses']).optional() }).strict(),
      response: { 200: settingsSchema, ...errors, 429: errorBodySchema },
    },
  }, async (request, reply) => {
    const { pid } = request.params;
    await requirePartner(db, request, pid);
    const body = request.body;
    const c = await credentials(pid, body);
    const changed = !c.stored || c.stored.username !== body.username || body.secret !== undefined || c.trackingIdentifier !== c.stored.trackingIdentifier;
    let zone: { name: string; url: string } | null = c.stored?.zoneName && c.stored.zoneUrl ? { name: c.stored.zoneName, url: c.stored.zoneUrl } : null;
    if (changed) {
      app.limits.assertAutotaskAttemptAllowed(reply, pid);
      const result = await check(pid, body.username, c.secret, c.trackingIdentifier);
      if (!result.ok) throw unprocessable(`autotask_${result.failure}`, result.message, { failure: result.failure });
      zone = { name: result.zone.name, url: result.zone.url };
      deps.autotask.invalidate(pid);
    }
    await upsertSettings(db, pid, {
      username: body.username,
      secretCiphertext: body.secret !== undefined ? deps.services.secretBox.seal(body.secret, pid) : c.stored!.secretCiphertext,
      trackingIdentifier: c.trackingIdentifier,
      enabled: body.enabled,
      countBasis: body.countBasis ?? c.stored?.countBasis ?? 'users',
      zoneName: zone?.name ?? null,
      zoneUrl: zone?.url ?? null,
      ...(changed ? { lastAuthenticatedAt: new Date(), lastAuthenticationOk: true, lastAuthenticationDetail: `zone ${zone?.name}` } : {}),
    });
    if (!c.stored || c.stored.enabled !== body.enabled) await deps.setSchedulePaused(pid, !body.enabled);
    request.log.info({ partnerId: pid, enabled: body.enabled, credentialsChanged: changed }, 'autotask settings saved');
    return settingsView(await findSettings(db, pid));
  });

  app.patch('/v1/partners/:pid/autotask', {
    schema: {
      tags: ['autotask'],
      summary: 'Turn the integration on or off',
      description: 'Off: nothing is written to Autotask and the schedule is paused; settings and mappings stay editable.',
      params: partnerParams,
      body: z.object({ enabled: z.boolean() }).strict(),
      response: { 200: settingsSchema, ...errors },
    },
  }, async (request) => {
    const { pid } = request.params;
    await requirePartner(db, request, pid);
    const row = await setEnabled(db, pid, request.body.enabled);
    if (!row) throw notSavedYet();
    await deps.setSchedulePaused(pid, !request.body.enabled);
    return settingsView(row);
  });
};

export default autotaskSettingsRoutes;
