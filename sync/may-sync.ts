/**
 * Whether a run may send changes to Autotask (docs/design.md, domain rule 4): only once the
 * integration's settings are saved and while it is enabled. A dry run sends nothing, so it may
 * always run. The API answers "Sync now" with a 409 and a scheduled run is skipped, for the same
 * reasons. Neither kind runs while another run of the partner holds the run lease (rule 12): the
 * start ends `skipped`, naming the run that holds it.
 */

/** The open run of the partner that holds its run lease (docs/design.md rule 12). */
export interface RunningRun {
  runId: string;
  workflowId: string;
  trigger: string;
  dryRun: boolean;
  /** ISO 8601. */
  startedAt: string;
}

export interface IntegrationSwitches {
  /** The partner's Autotask settings have been saved. */
  configured: boolean;
  enabled: boolean;
  /**
   * Another run of the partner is open: this one may not run, whatever started it. Absent in
   * histories recorded before the run lease existed (their runs go on as they did).
   */
  runningRun?: RunningRun | null | undefined;
}

export type SyncVerdict =
  | { may: true }
  | { may: false; reason: 'not_configured' | 'disabled' | 'busy'; detail: string };

export function maySync(integration: IntegrationSwitches, dryRun: boolean): SyncVerdict {
  const running = integration.runningRun;
  if (running) {
    const what = `${running.dryRun ? 'a dry run' : 'a sync'} started by ${running.trigger} at ${running.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
    return { may: false, reason: 'busy', detail: `Another run of this partner is in progress (${what}, run ${running.runId}, workflow ${running.workflowId}); this start ended without doing anything` };
  }
  if (dryRun) return { may: true };
  if (!integration.configured) return { may: false, reason: 'not_configured', detail: 'The Autotask integration has not been saved yet; nothing was sent to Autotask' };
  if (!integration.enabled) return { may: false, reason: 'disabled', detail: 'The Autotask integration is disabled; nothing was sent to Autotask' };
  return { may: true };
}
