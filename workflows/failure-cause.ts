import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The ApplicationFailure an activity failed with, if it did: its type and message name the cause
 * (`AutotaskAuthentication`, …), where the ActivityFailure around it only says that it failed.
 */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
}
