/**
 * What the HTTP clients report about their calls, on Node's diagnostics channels: the clients stay
 * free of any metrics library, and publishing costs one property read while nobody subscribes
 * (runtime/metrics.ts subscribes in processes that serve metrics). Never a credential or a body.
 */
import diagnostics from 'node:diagnostics_channel';

export interface AutotaskRequestEvent {
  /** The Autotask entity or endpoint, e.g. `Contracts`, `ContractServiceAdjustments`. */
  endpoint: string;
  method: string;
  /** `ok`, or the failure's kind (`rate_limit`, `thread_limit`, `unavailable`, `validation`, …). */
  outcome: string;
  seconds: number;
}

export const autotaskRequestChannel = diagnostics.channel('pb-autotask-sync:autotask:request');

export function publishAutotaskRequest(event: AutotaskRequestEvent): void {
  if (autotaskRequestChannel.hasSubscribers) autotaskRequestChannel.publish(event);
}
