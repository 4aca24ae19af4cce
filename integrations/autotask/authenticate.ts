/**
 * Authenticate = zone discovery + one cheap authenticated call (ThresholdInformation). The answer
 * says which part failed and what to do: unknown user, wrong secret, tracking identifier
 * rejected, or Autotask unreachable.
 */
import { IntegrationError } from '../errors.ts';
import { AutotaskClient, type AutotaskClientOptions } from './client.ts';
import { forgetZone } from './zone.ts';

export const authenticationFailures = ['unknown_user', 'wrong_secret', 'tracking_identifier', 'unreachable', 'permission', 'zone_not_allowed', 'invalid_characters', 'unexpected'] as const;
export type AuthenticationFailure = (typeof authenticationFailures)[number];

export type AuthenticationResult =
  | { ok: true; zone: { name: string; url: string; webUrl: string | null }; usage: { used: number; threshold: number; timeframeMinutes: number } }
  | { ok: false; failure: AuthenticationFailure; message: string };

const asFailure = (part: string | undefined): AuthenticationFailure =>
  (authenticationFailures as readonly string[]).includes(part ?? '') ? (part as AuthenticationFailure) : 'unexpected';

export async function authenticate(options: AutotaskClientOptions, signal?: AbortSignal): Promise<AuthenticationResult> {
  // Always look the zone up afresh: the user may just have fixed a typo.
  forgetZone(options.zoneLookupUrl, options.username);
  const client = new AutotaskClient(options);
  try {
    const zone = await client.zone(signal);
    const usage = await client.threshold(signal);
    return {
      ok: true,
      zone: { name: zone.zoneName, url: zone.url, webUrl: zone.webUrl ?? null },
      usage: { used: usage.currentTimeframeRequestCount, threshold: usage.externalRequestThreshold, timeframeMinutes: usage.requestThresholdTimeframe },
    };
  } catch (err) {
    if (!(err instanceof IntegrationError)) throw err;
    const failure: AuthenticationFailure =
      err.kind === 'authentication' ? (err.extra.authPart === 'unknown' ? 'permission' : asFailure(err.extra.authPart))
        : err.kind === 'unavailable' || err.kind === 'rate_limit' || err.kind === 'thread_limit' ? 'unreachable'
          : 'unexpected';
    return { ok: false, failure, message: err.message };
  }
}
