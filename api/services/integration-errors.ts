/** How an Autotask or Password Boss failure reads to the portal: what broke and what to do. */
import { AutotaskNotConfiguredError, SecretUnreadableError } from '../../deps/autotask-for-partner.ts';
import { IntegrationError } from '../../integrations/errors.ts';
import { ApiError, notSavedYet } from '../errors.ts';

export function toApiError(err: unknown): unknown {
  if (err instanceof AutotaskNotConfiguredError) {
    return err.missing === 'settings' ? notSavedYet() : new ApiError(409, 'integration_not_saved', 'No Autotask secret is stored; enter it and save the settings');
  }
  if (err instanceof SecretUnreadableError) {
    return new ApiError(409, 'secret_unreadable', 'The stored Autotask secret cannot be decrypted (the service key changed); enter the secret again and save');
  }
  if (!(err instanceof IntegrationError)) return err;
  const system = err.system === 'autotask' ? 'autotask' : 'passwordboss';
  if (err.kind === 'authentication') return new ApiError(409, `${system}_credentials_rejected`, err.message, { authPart: err.extra.authPart });
  if (err.retryable) return new ApiError(503, `${system}_unavailable`, err.message, err.extra.retryAfterMs ? { retryAfterSeconds: Math.ceil(err.extra.retryAfterMs / 1000) } : undefined);
  if (err.kind === 'not_found') return new ApiError(404, 'not_found', err.message);
  return new ApiError(502, `${system}_error`, err.message);
}

export async function mapIntegrationErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}
