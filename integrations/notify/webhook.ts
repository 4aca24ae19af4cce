/**
 * Posts a run's outcome to a partner's webhook, signed so the receiver can tell it came from us:
 * `X-PB-Signature: sha256=<hex HMAC-SHA256 of the raw body under the partner's signing secret>`.
 * The secret never travels; redirects are not followed; private addresses are refused unless
 * allowed (public-address.ts).
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { NotificationError } from './notification-error.ts';
import { assertPublicLiteral, publicOnlyLookup } from './public-address.ts';

/** A run's alert. */
export interface RunWebhookBody {
  event: string;
  partnerId: string;
  runId: string;
  status: string;
  summary: string;
  portalUrl: string | null;
  /** True when the month-end reminder applies (the partner is failing close to invoicing). */
  reminder: boolean;
}

/** The daily month-end reminder: about the partner, not one run. */
export interface ReminderWebhookBody {
  event: 'reminder';
  partnerId: string;
  /** The partner's local date the reminder is for, `YYYY-MM-DD`. */
  day: string;
  /** The last real run's status, null with none. */
  status: string | null;
  companiesFailing: number;
  summary: string;
  portalUrl: string | null;
  reminder: true;
}

export type WebhookBody = RunWebhookBody | ReminderWebhookBody;

export function signature(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

const TIMEOUT_MS = 10_000;
const publicAgent = new Agent({ connect: { lookup: publicOnlyLookup, timeout: TIMEOUT_MS }, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
const anyAgent = new Agent({ connect: { timeout: TIMEOUT_MS }, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });

export async function postWebhook(options: { url: string; secret: string; body: WebhookBody; allowPrivate: boolean }): Promise<{ status: number }> {
  const url = new URL(options.url);
  if (!options.allowPrivate) {
    try {
      assertPublicLiteral(url);
    } catch (err) {
      throw new NotificationError('webhook', false, (err as Error).message);
    }
  }
  const raw = JSON.stringify(options.body);
  let res;
  try {
    res = await request(url, {
      method: 'POST',
      dispatcher: options.allowPrivate ? anyAgent : publicAgent,
      headers: { 'content-type': 'application/json', 'user-agent': 'pb-autotask-sync', 'x-pb-signature': signature(raw, options.secret), 'x-pb-event': options.body.event },
      body: raw,
    });
    await res.body.dump();
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'EPRIVATEADDRESS') throw new NotificationError('webhook', false, (err as Error).message);
    throw new NotificationError('webhook', true, `the webhook did not answer (${code || (err as Error).message})`);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode };
  // 408, 429 and 5xx may pass; any other answer (a 3xx too: redirects are not followed) will not.
  const retryable = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
  throw new NotificationError('webhook', retryable, `the webhook answered HTTP ${res.statusCode}`);
}
