/**
 * Integration failures become ApplicationFailures whose type names the cause (`AutotaskValidation`,
 * `PasswordBossUnavailable`, …): permanent ones are non-retryable, rate limits carry the server's
 * Retry-After as the next retry delay. A partner whose Autotask client cannot be built
 * (`AutotaskNotConfigured`, `AutotaskSecretUnreadable`) fails for good: retrying cannot help.
 * Messages never contain credentials.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { AutotaskNotConfiguredError, SecretUnreadableError } from '../deps/autotask-for-partner.ts';
import { IntegrationError } from '../integrations/errors.ts';

export interface FailureDetails {
  kind: string;
  status?: number;
  authPart?: string;
  errors?: string[];
  ambiguous?: boolean;
}

export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof AutotaskNotConfiguredError) return ApplicationFailure.nonRetryable(err.message, 'AutotaskNotConfigured');
  if (err instanceof SecretUnreadableError) return ApplicationFailure.nonRetryable(err.message, 'AutotaskSecretUnreadable');
  if (!(err instanceof IntegrationError)) return err;
  const details: FailureDetails = { kind: err.kind };
  if (err.extra.status !== undefined) details.status = err.extra.status;
  if (err.extra.authPart) details.authPart = err.extra.authPart;
  if (err.extra.errors) details.errors = err.extra.errors.slice(0, 5);
  if (err.extra.ambiguous) details.ambiguous = true;
  return ApplicationFailure.create({
    type: err.failureType,
    message: err.message,
    nonRetryable: !err.retryable,
    details: [details],
    ...(err.retryable && err.extra.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(250, err.extra.retryAfterMs) } : {}),
  });
}

/** Runs an activity body, translating integration failures on the way out. */
export async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}
