/**
 * "Is this run still open in Temporal?", for the run lease (docs/design.md rule 12). A run is the
 * chain that starts with its first execution (continue-as-new keeps it going under other run
 * IDs), and a workflow ID can carry several chains over time: the scheduled run's ID is the same
 * every day. So the chain is open only when the workflow ID's current execution is running and
 * belongs to that chain.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

export function workflowOpenCheck(client: Client): (workflowId: string, firstExecutionRunId: string) => Promise<boolean> {
  return async (workflowId, firstExecutionRunId) => {
    try {
      const latest = await client.workflow.getHandle(workflowId).describe();
      if (latest.status.name !== 'RUNNING') return false;
      if (latest.runId === firstExecutionRunId) return true;
      const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId;
      if (firstRunId) return firstRunId === firstExecutionRunId;
      // A server too old to say which chain the running execution belongs to: read the first
      // run itself; if it continued as new, the running one may be its continuation, so held.
      const first = await client.workflow.getHandle(workflowId, firstExecutionRunId).describe();
      return first.status.name === 'RUNNING' || first.status.name === 'CONTINUED_AS_NEW';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
}
