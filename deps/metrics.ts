/**
 * The service's Prometheus metrics (prom-client), all prefixed `pbsync_`. One registry per
 * process: the API serves it at GET /metrics (admin key), the worker on METRICS_PORT. Under
 * `npm start` both live in one process and one registry. Labels are bounded sets (statuses,
 * Autotask endpoints, route patterns, partner ids): never a secret, a URL or a company name.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { autotaskRequestChannel, type AutotaskRequestEvent } from '../integrations/telemetry.ts';

export const registry = new Registry();
// prom-client's own names start process_ and nodejs_: pbsync_process_resident_memory_bytes, pbsync_nodejs_heap_size_used_bytes, ...
collectDefaultMetrics({ register: registry, prefix: 'pbsync_' });

export const runsFinished = new Counter({
  name: 'pbsync_runs_finished_total',
  help: 'Runs (partnerSync) that recorded their outcome, by status; dry runs labelled apart',
  labelNames: ['status', 'dry_run'] as const,
  registers: [registry],
});

export const companySyncs = new Counter({
  name: 'pbsync_company_syncs_total',
  help: 'Company syncs that recorded their outcome, by status',
  labelNames: ['status', 'dry_run'] as const,
  registers: [registry],
});

export const adjustments = new Counter({
  name: 'pbsync_adjustments_total',
  help: 'ContractServiceAdjustments posted to Autotask (real runs)',
  registers: [registry],
});

export const unitsChanged = new Counter({
  name: 'pbsync_units_changed_total',
  help: 'Contract service units changed in Autotask (real runs), summed as absolute differences per service',
  registers: [registry],
});

export const autotaskRequests = new Counter({
  name: 'pbsync_autotask_requests_total',
  help: 'Requests sent to the Autotask REST API, by endpoint (entity) and outcome (ok or the failure kind)',
  labelNames: ['endpoint', 'method', 'outcome'] as const,
  registers: [registry],
});

export const autotaskRequestSeconds = new Histogram({
  name: 'pbsync_autotask_request_duration_seconds',
  help: 'Autotask REST API request latency, including the wait for a slot under the 3-in-flight limit',
  labelNames: ['endpoint'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const tenantBudgetUsed = new Gauge({
  name: 'pbsync_autotask_budget_used_ratio',
  help: "A partner's Autotask tenant: requests used in the current threshold window / the threshold, as last read (ThresholdInformation, on Authenticate)",
  labelNames: ['partner'] as const,
  registers: [registry],
});

export const httpRequestSeconds = new Histogram({
  name: 'pbsync_http_request_duration_seconds',
  help: 'REST API request latency by method, route pattern and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const alertsSent = new Counter({
  name: 'pbsync_alerts_total',
  help: 'Alert deliveries by channel (email, webhook) and outcome (sent, failed)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

let subscribed = false;
/** Counts the Autotask clients' requests in this process (idempotent). */
export function observeIntegrations(): void {
  if (subscribed) return;
  subscribed = true;
  autotaskRequestChannel.subscribe((message) => {
    const e = message as AutotaskRequestEvent;
    autotaskRequests.inc({ endpoint: e.endpoint, method: e.method, outcome: e.outcome });
    autotaskRequestSeconds.observe({ endpoint: e.endpoint }, e.seconds);
  });
}

export function recordTenantBudget(partnerId: string, usage: { used: number; threshold: number }): void {
  if (usage.threshold > 0) tenantBudgetUsed.set({ partner: partnerId }, usage.used / usage.threshold);
}
