/**
 * Whether a run may send changes to Autotask (docs/design.md, domain rule 4): only once the
 * integration's settings are saved and while it is enabled. A dry run sends nothing, so it may
 * always run. The API answers "Sync now" with a 409 and a scheduled run is skipped, for the same
 * reasons.
 */

export interface IntegrationSwitches {
  /** The partner's Autotask settings have been saved. */
  configured: boolean;
  enabled: boolean;
}

export type SyncVerdict =
  | { may: true }
  | { may: false; reason: 'not_configured' | 'disabled'; detail: string };

export function maySync(integration: IntegrationSwitches, dryRun: boolean): SyncVerdict {
  if (dryRun) return { may: true };
  if (!integration.configured) return { may: false, reason: 'not_configured', detail: 'The Autotask integration has not been saved yet; nothing was sent to Autotask' };
  if (!integration.enabled) return { may: false, reason: 'disabled', detail: 'The Autotask integration is disabled; nothing was sent to Autotask' };
  return { may: true };
}
