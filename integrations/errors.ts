/**
 * Failures of the external APIs, classified once so activities can decide retry or not and an
 * MSP reading a company's status knows whether to fix credentials, a contract, or wait.
 */
export const integrationErrorKinds = [
  'authentication',
  'rate_limit',
  'thread_limit',
  'validation',
  'unavailable',
  'not_found',
  'malformed',
  /** Autotask accepted an adjustment, but the units do not read back as posted: never post again. */
  'adjustment_not_applied',
  /** Autotask answered an adjustment without naming it and the units are not the target: never post again. */
  'adjustment_unconfirmed',
] as const;
export type IntegrationErrorKind = (typeof integrationErrorKinds)[number];

export type AuthenticationPart = 'unknown_user' | 'wrong_secret' | 'tracking_identifier' | 'service_token' | 'unknown' | 'zone_not_allowed' | 'invalid_characters';

const retryableKinds: ReadonlySet<IntegrationErrorKind> = new Set(['rate_limit', 'thread_limit', 'unavailable']);

export class IntegrationError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly system: 'autotask' | 'passwordboss',
    readonly kind: IntegrationErrorKind,
    message: string,
    readonly extra: {
      status?: number;
      /** A short piece of the response body, never a header or credential. */
      excerpt?: string;
      retryAfterMs?: number;
      authPart?: AuthenticationPart;
      /** The request may have been applied (a write whose answer was lost). */
      ambiguous?: boolean;
      errors?: string[];
      /** The adjustment Autotask said it created, when the failure is about it. */
      adjustmentId?: number;
    } = {}
  ) {
    super(message);
    this.name = 'IntegrationError';
    this.retryable = retryableKinds.has(kind);
  }

  /** The ApplicationFailure type the activities use, e.g. `AutotaskValidation`. */
  get failureType(): string {
    const system = this.system === 'autotask' ? 'Autotask' : 'PasswordBoss';
    return system + this.kind.replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
  }
}

export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network-level failures undici reports, which mean "try again later". */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|UND_ERR_\w+)$/.test(code);
}
