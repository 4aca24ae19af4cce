/**
 * Turns one Autotask answer into an IntegrationError, once, for everyone. Autotask answers
 * business-rule violations (and unknown users or integration codes) with HTTP 500 and an
 * `errors[]` body, so a 500 is not simply "retry".
 */
import { IntegrationError, excerpt, parseRetryAfter } from '../errors.ts';

export interface AnswerContext {
  status: number;
  text: string;
  retryAfter?: string | string[] | undefined;
  /** What was being done, for the message: "reading contracts". */
  doing: string;
  username: string;
  write: boolean;
}

export function readErrors(text: string): string[] | undefined {
  try {
    const body = JSON.parse(text) as { errors?: unknown; Message?: unknown };
    if (Array.isArray(body.errors) && body.errors.length) {
      return body.errors.map((e) => (typeof e === 'string' ? e : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : JSON.stringify(e)));
    }
    if (typeof body.Message === 'string') return [body.Message];
  } catch {
    /* not JSON */
  }
  return undefined;
}

export function classifyAnswer(ctx: AnswerContext): IntegrationError {
  const { status, text } = ctx;
  const errors = readErrors(text);
  const joined = errors?.join(' ') ?? '';
  const base = { status, excerpt: excerpt(text), ...(errors ? { errors } : {}) };
  const retryAfterMs = parseRetryAfter(ctx.retryAfter);

  if (/thread threshold|thread limit/i.test(joined)) {
    return new IntegrationError('autotask', 'thread_limit', `Autotask's limit of 3 parallel requests per integration was exceeded while ${ctx.doing}; the sync retries automatically`, { ...base, retryAfterMs: retryAfterMs ?? 1_000 });
  }
  if (status === 429 || /request threshold/i.test(joined)) {
    return new IntegrationError('autotask', 'rate_limit', `Autotask's hourly request limit was reached while ${ctx.doing}; the sync waits and retries`, { ...base, retryAfterMs: retryAfterMs ?? 60_000 });
  }
  if (status === 401) {
    return new IntegrationError('autotask', 'authentication', `Autotask rejected the secret (password) of API user "${ctx.username}"; re-enter it in the integration settings`, { ...base, authPart: 'wrong_secret' });
  }
  if (status === 403) {
    return new IntegrationError('autotask', 'authentication', `The API user "${ctx.username}" may not do this (${ctx.doing}); give it the "API User (system)" security level with contract access`, { ...base, authPart: 'unknown' });
  }
  if (status === 500 && errors && /integration code|tracking identifier/i.test(joined)) {
    return new IntegrationError('autotask', 'authentication', 'Autotask rejected the API tracking identifier; check the identifier on the API user in Autotask (Admin > Resources > API tracking identifier), or clear it to use the Password Boss vendor code', { ...base, authPart: 'tracking_identifier' });
  }
  if (status === 500 && errors && /^user .*(not valid|does not exist|not authorized|does not have access)/i.test(joined)) {
    return new IntegrationError('autotask', 'authentication', `Autotask does not accept the API user "${ctx.username}"; check the username and that the user is active`, { ...base, authPart: 'unknown_user' });
  }
  if (status === 500 && errors && /unexpected error/i.test(joined)) {
    return new IntegrationError('autotask', 'unavailable', `Autotask had an unexpected error while ${ctx.doing} (${excerpt(joined, 160)}); the sync retries automatically`, { ...base, ambiguous: ctx.write });
  }
  if (errors && (status === 500 || status === 400 || status === 200)) {
    return new IntegrationError('autotask', 'validation', `Autotask refused ${ctx.doing}: ${excerpt(joined, 300)}`, base);
  }
  if (status === 404) {
    return new IntegrationError('autotask', 'not_found', `Autotask answered 404 while ${ctx.doing}`, base);
  }
  if (status === 405) {
    return new IntegrationError('autotask', 'malformed', `Autotask does not support this call (${ctx.doing}): ${excerpt(joined || text, 160)}`, base);
  }
  if (status >= 500 || status === 408) {
    return new IntegrationError('autotask', 'unavailable', `Autotask answered ${status} while ${ctx.doing}; the sync retries automatically`, { ...base, ambiguous: ctx.write });
  }
  return new IntegrationError('autotask', 'malformed', `Autotask answered ${status} unexpectedly while ${ctx.doing}: ${excerpt(text, 160)}`, base);
}
