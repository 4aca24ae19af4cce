/**
 * When a partner run reached each of its steps, read back from its Temporal history: so a peak
 * benchmark can say whether small partners wait on planning, on their children or on the end of
 * the run (the server's event times, as seconds from the phase's common start).
 */
import type { Client } from '@temporalio/client';
// A CommonJS module: its namespace comes as the default export.
import proto from '@temporalio/proto';

const { EventType } = proto.temporal.api.enums.v1;

export interface RunSteps {
  /** planRun's activity scheduled, started, completed. */
  planScheduled: number;
  planStarted: number;
  planned: number;
  firstChildStarted: number;
  lastChildDone: number;
  closed: number;
}

export const stepNames: Array<keyof RunSteps> = ['planScheduled', 'planStarted', 'planned', 'firstChildStarted', 'lastChildDone', 'closed'];

export async function runSteps(client: Client, workflowId: string, t0EpochMs: number): Promise<RunSteps> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const at = (type: number, which: 'first' | 'last' = 'first'): number => {
    const events = (history.events ?? []).filter((e) => e.eventType === type);
    const event = which === 'first' ? events[0] : events.at(-1);
    if (!event?.eventTime) return NaN;
    return (Number(event.eventTime.seconds) * 1000 + (event.eventTime.nanos ?? 0) / 1e6 - t0EpochMs) / 1000;
  };
  return {
    planScheduled: at(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    planStarted: at(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED),
    planned: at(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
    firstChildStarted: at(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED),
    lastChildDone: at(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, 'last'),
    closed: at(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
  };
}
