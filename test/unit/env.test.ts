import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../config/env.ts';

describe('parseEnv', () => {
  it('gives every variable its embedded default', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ DATA_DIR: './.data', TEMPORAL_NAMESPACE: 'default', PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info', TEMPORAL_TASK_QUEUE: 'pb-autotask-sync' });
    expect(env).toMatchObject({ AUTOTASK_BUDGET_SHARE: 0.5, WORKER_MAX_CONCURRENT_ACTIVITIES: 200, WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 300, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 100, WORKER_MAX_CACHED_WORKFLOWS: 1000 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('reads the operations variables', () => {
    const env = parseEnv({ SMTP_URL: 'smtps://u:p@mail.example.com:465', NOTIFY_FROM: 'Alerts <alerts@msp.example>', ALLOW_PRIVATE_WEBHOOKS: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', METRICS_PORT: '9464' });
    expect(env).toMatchObject({ SMTP_URL: 'smtps://u:p@mail.example.com:465', NOTIFY_FROM: 'Alerts <alerts@msp.example>', ALLOW_PRIVATE_WEBHOOKS: true, METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' });
    expect(parseEnv({}).ALLOW_PRIVATE_WEBHOOKS).toBe(false);
  });

  it('keeps 5 % of new traces unless a parent-based sampler says otherwise', () => {
    expect(parseEnv({})).toMatchObject({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 0.05 });
    expect(parseEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }).OTEL_TRACES_SAMPLER).toBe('parentbased_always_on');
    expect(parseEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })).toMatchObject({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 0.1 });
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: expected a postgres/],
    // "received NaN" told an operator nothing about what they typed wrong.
    ['PORT', 'eighty', /^invalid environment variable PORT: expected a port number from 0 to 65535$/],
    ['PORT', '70000', /^invalid environment variable PORT: expected a port number from 0 to 65535$/],
    ['PORT', '80.5', /^invalid environment variable PORT: expected a port number from 0 to 65535$/],
    ['SIM_PORT_AUTOTASK', 'x', /SIM_PORT_AUTOTASK: expected a port number from 0 to 65535$/],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233', /TEMPORAL_ADDRESS: expected host:port/],
    ['SECRETS_KEY', 'short', /SECRETS_KEY: expected 32 bytes/],
    ['ADMIN_API_KEY', 'abc', /ADMIN_API_KEY: expected at least 16/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['AUTOTASK_ZONE_LOOKUP_URL', 'not a url', /AUTOTASK_ZONE_LOOKUP_URL: expected the Autotask/],
    ['SMTP_URL', 'mail.example.com:25', /SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/],
    ['NOTIFY_FROM', 'not an address', /NOTIFY_FROM: expected an e-mail address/],
    ['PORTAL_URL', 'portal', /PORTAL_URL: expected the http\(s\) URL of the partner portal/],
    ['ALLOW_PRIVATE_WEBHOOKS', 'yes', /ALLOW_PRIVATE_WEBHOOKS/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL of an OTLP/],
    ['METRICS_PORT', '0', /METRICS_PORT: expected a port number from 1 to 65535$/],
    ['METRICS_PORT', 'nine', /METRICS_PORT: expected a port number from 1 to 65535$/],
    // A root-only sampler would let a worker re-decide mid-trace and leave holes in a Sync now's trace.
    ['OTEL_TRACES_SAMPLER', 'traceidratio', /OTEL_TRACES_SAMPLER: expected parentbased_traceidratio \(default\), parentbased_always_on/],
    ['OTEL_TRACES_SAMPLER_ARG', '5', /OTEL_TRACES_SAMPLER_ARG: expected a number from 0 to 1/],
    ['OTEL_TRACES_SAMPLER_ARG', 'half', /OTEL_TRACES_SAMPLER_ARG: expected a number from 0 to 1/],
    ['AUTOTASK_BUDGET_SHARE', '0', /AUTOTASK_BUDGET_SHARE: expected a share above 0/],
    ['AUTOTASK_BUDGET_SHARE', '1.5', /AUTOTASK_BUDGET_SHARE: expected a share up to 1/],
    ['AUTOTASK_BUDGET_SHARE', 'half', /AUTOTASK_BUDGET_SHARE: expected a share above 0 and up to 1, e.g. 0.5$/],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', '0', /WORKER_MAX_CONCURRENT_ACTIVITIES: expected a whole number of at least 1/],
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1', /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: expected a whole number of at least 2/],
    ['WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', 'many', /WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: expected a whole number of at least 1$/],
    ['WORKER_MAX_CACHED_WORKFLOWS', '1.5', /WORKER_MAX_CACHED_WORKFLOWS: expected a whole number of at least 0$/],
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 'lots', /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: expected a whole number of at least 2/],
  ])('names %s when it is %s', (name, value, message) => {
    const attempt = () => parseEnv({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('reports every bad variable, one line each', () => {
    try {
      parseEnv({ PORT: 'x', DATABASE_URL: 'nope' });
      expect.fail('should throw');
    } catch (err) {
      expect((err as Error).message.split('\n')).toHaveLength(2);
    }
  });

  it('accepts a 32-byte key as hex or base64', () => {
    expect(parseEnv({ SECRETS_KEY: 'a'.repeat(64) }).SECRETS_KEY).toBe('a'.repeat(64));
    expect(parseEnv({ SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).SECRETS_KEY).toBeDefined();
  });
});
