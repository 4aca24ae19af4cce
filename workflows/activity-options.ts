/**
 * Activity proxies with explicit timeouts and bounded retries. Permanent integration failures
 * are thrown as non-retryable by the activities themselves; the types listed here are the
 * service's own permanent conditions.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

const permanent = ['PartnerNotFound', 'RunNotFound', 'AutotaskNotConfigured', 'AutotaskSecretUnreadable', 'InvalidInput'];

/**
 * Database bookkeeping (the run, its plan pages, a company's outcome): quick, so it runs as a
 * local activity in the worker running the workflow, with no activity task or extra workflow
 * task per step. Retried patiently, since the database may be restarting: waits past 10 s become
 * durable timers.
 */
export const bookkeeping = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 30, nonRetryableErrorTypes: permanent },
});

/** Planning reads every company's counts and contracts: long, so it heartbeats. */
export const planning = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes: permanent },
});

/**
 * A company's Autotask writes (each with its confirming read) and the record of its outcome, as
 * a local activity: run by the worker that runs the company's workflow, it costs the server no
 * activity task and the workflow no second task (`npm run bench -- sync` shows the saving in
 * server CPU per company). Retries within 10 s stay in the
 * worker; longer waits (a 429's Retry-After) become a durable timer. Safe on any retry: writes
 * are claimed in the database first (see applyCompanyPlan).
 */
export const companyWrites = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes: permanent },
});

/**
 * Alerts (e-mail, webhook) after the run: a regular activity, so a mail server or webhook that is
 * down is retried by Temporal and the attempt shows in the run's history. Bounded to a few
 * minutes; the run's outcome is recorded before it, so a failed alert never changes the run.
 */
export const notifier = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6, nonRetryableErrorTypes: [...permanent, 'NotificationRefused'] },
});

/**
 * The month-end reminder tells every failing partner in one activity; a webhook may take 20 s to
 * fail (connect + headers), so a minute would let a few hanging receivers starve the partners
 * after them on every attempt.
 */
export const reminderSender = proxyActivities<Activities>({
  startToCloseTimeout: '20 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6, nonRetryableErrorTypes: [...permanent, 'NotificationRefused'] },
});
