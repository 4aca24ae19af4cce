/**
 * Throttling on top of @fastify/rate-limit (its counters and in-memory store; `global: false`, so
 * nothing is limited unless asked). Three things are limited, each counted per key, per partner
 * and per address where those exist, so neither many keys from one address nor many addresses
 * with one key get around a limit:
 * - failed authentication (per address): a wrong bearer key costs a database lookup; past the
 *   limit the address's failures answer 429, while valid keys from it still get in (behind a
 *   proxy every client shares one address);
 * - Authenticate: each attempt costs two Autotask calls on the shared tracking identifier and
 *   answers like an oracle (unknown user / wrong secret);
 * - Sync now: a new run per click is the most expensive thing the API can be asked for;
 * - reads from Password Boss a request asks for (a new company's lookup, `?refresh=true`): they
 *   spend the one service token every partner's sync depends on.
 * A refusal is a 429 with `Retry-After` and the standard error body.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';
import { createWrongSecretBackoff, type BackoffSettings } from '../services/wrong-secret-backoff.ts';

export interface Limit {
  /** Requests allowed in one window. */
  max: number;
  windowMs: number;
}

export interface RateLimitSettings {
  /** Failed bearer authentications per address. */
  failedAuthentication: Limit;
  /** Authenticate attempts per key, per partner and per address. */
  authenticate: Limit;
  /** Sync now, Preview, Apply and Approve requests (each starts or re-checks a run) per key, per partner and per address. */
  syncNow: Limit;
  /** Reads from Password Boss asked for by a request, per key, per partner and per address. */
  passwordBossRead: Limit;
  /** After `after` wrong secrets in a row for a partner, Authenticate waits `baseMs`, doubling up to `maxMs`. */
  wrongSecretBackoff: BackoffSettings;
}

export const defaultRateLimits: RateLimitSettings = {
  failedAuthentication: { max: 30, windowMs: 60_000 },
  authenticate: { max: 10, windowMs: 60_000 },
  syncNow: { max: 6, windowMs: 60_000 },
  passwordBossRead: { max: 30, windowMs: 60_000 },
  wrongSecretBackoff: { after: 3, baseMs: 30_000, maxMs: 15 * 60_000 },
};

/** What a route may ask to be limited by (route option `config.rateLimited`). */
export type LimitedAction = 'authenticate' | 'syncNow' | 'passwordBossRead';

type Checker = ReturnType<FastifyInstance['createRateLimit']>;

export interface Limits {
  settings: RateLimitSettings;
  /** Refuses a failed authentication with 429 when its address has failed too often (does not count). */
  assertAuthenticationAllowed(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts the request against the action's limits, or refuses it with 429 (counting nothing). */
  assertAllowed(action: LimitedAction, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts one failed authentication for the request's address. */
  countFailedAuthentication(request: FastifyRequest): Promise<void>;
  /** Refuses with 429 while the partner is backing off after repeated wrong secrets. */
  assertAutotaskAttemptAllowed(reply: FastifyReply, partnerId: string): void;
  /** Records how an attempt against Autotask ended (feeds the wrong-secret backoff). */
  recordAutotaskAttempt(partnerId: string, outcome: 'ok' | 'wrong_secret' | 'other'): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    limits: Limits;
  }
  interface FastifyContextConfig {
    rateLimited?: LimitedAction;
  }
}

export function tooManyRequests(reply: FastifyReply, retryAfterSeconds: number, what: string): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  reply.header('retry-after', String(seconds));
  return new ApiError(429, 'rate_limited', `${what}; try again in ${seconds} s`, { retryAfterSeconds: seconds });
}

const partnerOf = (request: FastifyRequest) => (request.params as { pid?: unknown } | undefined)?.pid;
const keyOf = (request: FastifyRequest) => {
  const p = request.principal;
  return p?.kind === 'partner' ? `key:${p.keyId}` : p?.kind === 'admin' ? 'key:admin' : 'key:none';
};

export default fp(
  async function rateLimits(app: FastifyInstance, opts: { settings?: Partial<RateLimitSettings> | undefined }) {
    const settings: RateLimitSettings = { ...defaultRateLimits, ...opts.settings };
    // The plugin's own hooks stay off (`global: false`); its counters are used through createRateLimit.
    await app.register(rateLimit, { global: false });

    const failedAuth = app.createRateLimit({ max: settings.failedAuthentication.max, timeWindow: settings.failedAuthentication.windowMs, keyGenerator: (r) => `failed-auth|${r.ip}` });

    // One counter per dimension, so a request is refused when any of its key, partner or address is over.
    const byDimension = (action: LimitedAction, limit: Limit): Checker[] => [
      app.createRateLimit({ max: limit.max, timeWindow: limit.windowMs, keyGenerator: (r) => `${action}|${keyOf(r)}` }),
      app.createRateLimit({ max: limit.max, timeWindow: limit.windowMs, keyGenerator: (r) => `${action}|partner:${String(partnerOf(r) ?? '-')}` }),
      // An address may hold several partners' keys (an MSP's office, a proxy): three times the room.
      app.createRateLimit({ max: limit.max * 3, timeWindow: limit.windowMs, keyGenerator: (r) => `${action}|address:${r.ip}` }),
    ];
    const actions: Record<LimitedAction, { checkers: Checker[]; what: string }> = {
      authenticate: { checkers: byDimension('authenticate', settings.authenticate), what: 'too many Authenticate attempts' },
      syncNow: { checkers: byDimension('syncNow', settings.syncNow), what: 'Sync now was asked for too often' },
      passwordBossRead: { checkers: byDimension('passwordBossRead', settings.passwordBossRead), what: 'too many reads from Password Boss were asked for (new company look-ups, list refreshes)' },
    };

    const backoff = createWrongSecretBackoff(settings.wrongSecretBackoff);

    async function assertAllowed(action: LimitedAction, request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const { checkers, what } = actions[action];
      // Look first, count only what is let through: a request refused by one counter (the
      // partner's) must not use up another (the address's), or one partner clicking on at a
      // shared address (a proxy, NAT) locks every other partner there out.
      let wait = 0;
      for (const check of checkers) {
        const state = await check(request, { increment: false });
        if (!state.isAllowed && state.remaining === 0) wait = Math.max(wait, state.ttlInSeconds);
      }
      // Counted; a concurrent request may have taken the last room since the look.
      if (wait === 0) {
        for (const check of checkers) {
          const state = await check(request);
          if (!state.isAllowed && state.isExceeded) wait = Math.max(wait, state.ttlInSeconds);
        }
      }
      if (wait > 0) {
        request.log.info({ action }, 'rate limited');
        throw tooManyRequests(reply, wait, what);
      }
    }

    app.decorate('limits', {
      settings,
      assertAllowed,
      async assertAuthenticationAllowed(request, reply) {
        const state = await failedAuth(request, { increment: false });
        if (!state.isAllowed && state.remaining === 0) {
          throw tooManyRequests(reply, state.ttlInSeconds, 'too many failed authentications from this address');
        }
      },
      async countFailedAuthentication(request) {
        await failedAuth(request);
      },
      assertAutotaskAttemptAllowed(reply, partnerId) {
        const wait = backoff.waitMs(partnerId);
        if (wait > 0) throw tooManyRequests(reply, wait / 1000, 'Autotask rejected the secret several times in a row, so attempts are slowed down; check the secret before trying again');
      },
      recordAutotaskAttempt(partnerId, outcome) {
        backoff.record(partnerId, outcome);
      },
    } satisfies Limits);

    // preParsing: after every onRequest hook (so `auth` has named the key), before the body is read.
    app.addHook('preParsing', async (request, reply, payload) => {
      const action = request.routeOptions.config.rateLimited;
      if (action) await assertAllowed(action, request, reply);
      return payload;
    });
  },
  { name: 'rate-limits' }
);
