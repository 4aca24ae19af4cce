/**
 * Waits for a run's workflow to close (continue-as-new followed), for the API's Apply, which
 * re-plans with a dry run before it writes. A run that takes longer than `timeoutMs` is left
 * running and reported as not finished.
 */
import type { Client } from '@temporalio/client';

export function createRunWaiter(client: () => Client) {
  return async function awaitRun(workflowId: string, runId: string, timeoutMs: number): Promise<'closed' | 'timed_out'> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timed_out'>((resolve) => (timer = setTimeout(() => resolve('timed_out'), timeoutMs)));
    // A run that fails still closes: the caller reads its outcome from the database.
    const closed = client().workflow.getHandle(workflowId, runId).result().then(() => 'closed' as const, () => 'closed' as const);
    try {
      return await Promise.race([closed, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}
