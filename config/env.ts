/**
 * The one place that reads process.env. Every variable is optional: an unset one takes the
 * embedded default (docs/design.md, "Environment"). A bad value stops the process with one line that
 * names the variable and what it expects, never a stack trace.
 */
import { z } from 'zod';
import { parseApiHosts } from './api-hosts.ts';

const url = (what: string) => z.string().url({ message: `expected ${what}` });
/** Numbers read from text: one message for every way to get it wrong, since zod's "received NaN" tells an operator nothing. */
const wholeNumber = (min: number, message = `expected a whole number of at least ${min}`) => z.coerce.number({ message }).int(message).min(min, message);
const port = (min = 0) => {
  const message = `expected a port number from ${min} to 65535`;
  return wholeNumber(min, message).max(65535, message);
};
const httpUrl = (what: string) => z.url({ protocol: /^https?$/, message: `expected ${what}` });

/**
 * One key, or several comma-separated, newest first: each 32 bytes as 64 hex characters or
 * base64 (`openssl rand -hex 32`). The newest encrypts; any of them decrypts. To rotate, put a
 * new key in front (`SECRETS_KEY=<new>,<old>`), run `npm run secrets:rotate`, then drop the old
 * one (SECURITY.md).
 */
const secretsKey = z.string().refine((v) => decodeKeys(v) !== null, {
  message: 'expected 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`), or several such keys comma-separated, newest first',
});

export const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d+$/, 'expected host:port, e.g. localhost:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: url('an http(s) URL of the Temporal Web UI').optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('pb-autotask-sync'),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  WORKER_HEALTH_FILE: z.string().min(1).optional(),
  AUTOTASK_ZONE_LOOKUP_URL: url('the Autotask zoneInformation URL').optional(),
  AUTOTASK_INTEGRATION_CODE: z.string().min(1).default('PBAUTOTASKSYNC0000000000000'),
  /**
   * Where Autotask credentials may go, comma-separated: hosts (https only), `*.domain`, or
   * `http(s)://host:port`. Unset: `*.autotask.net`, or, when AUTOTASK_ZONE_LOOKUP_URL points
   * elsewhere (a simulator), that URL's origin alone.
   */
  AUTOTASK_API_HOSTS: z.string().superRefine((v, ctx) => {
    try {
      parseApiHosts(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `expected comma-separated hosts such as *.autotask.net: ${(err as Error).message}` });
    }
  }).optional(),
  /**
   * Worker capacity (npm run worker, npm start): activities (planning) and local activities (a
   * company's writes, bookkeeping) run at once, workflow tasks handled at once, workflows kept in
   * the cache. The defaults suit one 2-core worker; raise them on bigger machines, lower them
   * where memory is tight (each cached workflow costs memory). A partner run evicted from the
   * cache is replayed from its whole history at its next step, so where many runs are open at
   * once (month-end) the cache should hold them all (README, "Configuration"): 1,000 holds 200
   * partners' runs and their companies in flight (bench/README.md, the peak figures).
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: wholeNumber(1).default(200),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: wholeNumber(1).default(300),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: wholeNumber(2, 'expected a whole number of at least 2 (Temporal needs one for sticky and one for normal polling)').default(100),
  WORKER_MAX_CACHED_WORKFLOWS: wholeNumber(0).default(1000),
  /** The share of the tenant's hourly Autotask threshold a run may fill; above it, the run waits. */
  AUTOTASK_BUDGET_SHARE: z.coerce.number({ message: 'expected a share above 0 and up to 1, e.g. 0.5' }).gt(0, 'expected a share above 0, e.g. 0.5').max(1, 'expected a share up to 1, e.g. 0.5').default(0.5),
  PASSWORDBOSS_API_URL: url('the Password Boss API base URL').optional(),
  PASSWORDBOSS_API_TOKEN: z.string().min(1).optional(),
  SECRETS_KEY: secretsKey.optional(),
  ADMIN_API_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port().default(3000),
  SIM_PORT_AUTOTASK: port().default(0),
  SIM_PORT_PASSWORDBOSS: port().default(0),
  /** Alerts by e-mail: `smtp://user:pass@host:587` or `smtps://…`; unset, e-mail alerts are not sent. */
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'expected an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587').optional(),
  NOTIFY_FROM: z
    .string()
    .regex(/^([^<>\r\n]*<)?[^\s@<>]+@[^\s@<>]+(>)?$/, 'expected an e-mail address, or "Name <address>"')
    .default('pb-autotask-sync <pb-autotask-sync@localhost>'),
  /** The partner portal's address, for links in alerts. */
  PORTAL_URL: httpUrl('the http(s) URL of the partner portal').optional(),
  /** Tests and closed networks only: let partner webhooks reach loopback and private addresses. */
  ALLOW_PRIVATE_WEBHOOKS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Traces over OTLP/HTTP, e.g. http://otel-collector:4318; unset, tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('an http(s) URL of an OTLP/HTTP collector, e.g. http://localhost:4318').optional(),
  /**
   * Which new traces are kept (OpenTelemetry's standard variables, parent-based only: a worker
   * follows the decision of the process that started the trace, so a kept trace has no holes).
   * Default: 5 % of runs, whole. A traced run costs the worker about 85 % more CPU per company
   * (docs/operations.md, "Tracing"), so tracing every run would break issue 16's 5 % limit.
   */
  OTEL_TRACES_SAMPLER: z
    .enum(['parentbased_always_on', 'parentbased_traceidratio', 'parentbased_always_off'], { message: 'expected parentbased_traceidratio (default), parentbased_always_on or parentbased_always_off' })
    .default('parentbased_traceidratio'),
  /** With parentbased_traceidratio: the share of new traces kept, from 0 to 1 (default 0.05). */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number({ message: 'expected a number from 0 to 1, e.g. 0.1' }).min(0, 'expected a number from 0 to 1, e.g. 0.1').max(1, 'expected a number from 0 to 1, e.g. 0.1').default(0.05),
  /** Worker: serve Prometheus metrics (its own and the Temporal SDK's) on this port. */
  METRICS_PORT: port(1).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Autotask's global zone lookup, used when AUTOTASK_ZONE_LOOKUP_URL is unset outside `npm start`. */
export const AUTOTASK_GLOBAL_ZONE_LOOKUP_URL =
  'https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment; throws ConfigError with one line per bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '?');
    return `invalid environment variable ${name}: ${i.message}`;
  });
  throw new ConfigError(lines.join('\n'));
}

/** Reads process.env once, or prints the problem and exits (start-up only). */
export function loadEnv(): Env {
  try {
    return parseEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** SECRETS_KEY's keys, newest first; null when any entry is not a 32-byte key. */
export function decodeKeys(value: string): Buffer[] | null {
  const keys = value.split(',').map((part) => decodeKey(part.trim()));
  return keys.length > 0 && keys.every((k): k is Buffer => k !== null) ? keys : null;
}

export function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const b = Buffer.from(value, 'base64');
  return b.length === 32 ? b : null;
}
