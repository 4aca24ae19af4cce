/**
 * No Docker engine runs here, so the compose file is checked as a file: services, images, start
 * order, health checks, restart policies, loopback-only ports, mounted files and the wiring to
 * the app's configuration. (scripts/check-deploy.sh validates it against the compose schema.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../config/env.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.ts';
import { execForm, readStages } from '../support/dockerfile.ts';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: unknown;
  entrypoint?: string[];
  ports?: string[];
  restart?: string;
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  stop_grace_period?: string;
}
const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;
const oneShots = ['temporal-schema', 'temporal-setup'];
const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal (server, schema and namespace setup from admin-tools), the UI, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    const tag = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(services.temporal!.image!)?.[1];
    expect(tag).toBeDefined();
    for (const name of oneShots) expect(services[name]!.image).toBe(`temporalio/admin-tools:${tag}`);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:2\.\d+\.\d+$/);
    expect(JSON.stringify(compose)).not.toContain('auto-setup');
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', DBNAME: 'temporal', VISIBILITY_DBNAME: 'temporal_visibility' });
    expect(services['temporal-schema']!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', DBNAME: 'temporal', VISIBILITY_DBNAME: 'temporal_visibility' });
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('starts each service after what it needs is healthy or done, and restarts what should run', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(['service_healthy', 'service_completed_successfully'], `${name} → ${dep}`).toContain(condition);
        if (condition === 'service_healthy') expect(services[dep]!.healthcheck, `${dep} needs a healthcheck`).toBeDefined();
        // A one-shot restarted "unless-stopped" would never count as completed.
        if (condition === 'service_completed_successfully') expect(services[dep]!.restart, dep).toMatch(/^(no|on-failure(:\d+)?)$/);
      }
      expect(service.restart, name).toBe(oneShots.includes(name) ? 'on-failure:5' : 'unless-stopped');
    }
    expect(services['temporal-schema']!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.temporal!.depends_on!['temporal-schema']).toEqual({ condition: 'service_completed_successfully' });
    expect(services['temporal-setup']!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, 'temporal-setup': { condition: 'service_completed_successfully' } });
    }
    for (const name of ['postgres', 'temporal', 'api', 'worker']) expect(services[name]!.healthcheck?.test, name).toBeDefined();
    expect(services.temporal!.healthcheck!.test).toEqual(['CMD', 'temporal', 'operator', 'cluster', 'health', '--address', '127.0.0.1:7233']);
  });

  it('publishes ports on 127.0.0.1 only: Temporal and its UI have no authentication and show every partner', () => {
    expect(services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(services['temporal-ui']!.ports).toEqual(['127.0.0.1:8080:8080']);
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.sort()).toEqual(['127.0.0.1:3000:3000', '127.0.0.1:7233:7233', '127.0.0.1:8080:8080']);
  });

  it('keeps secrets, local state, tools and test output out of the image', () => {
    const ignored = readFileSync(new URL('.dockerignore', root), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.env', '.env.*', '.data', '.tools', 'node_modules', 'screenshots', '.schemathesis', '*.log', 'test', '.git']) expect(ignored, entry).toContain(entry);
  });

  it('mounts files that exist, the dynamic config where the server reads it', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of (service.volumes ?? []).filter((v) => v.startsWith('./'))) {
        expect(existsSync(new URL(volume.split(':')[0]!, root)), `${name}: ${volume}`).toBe(true);
        expect(volume, `${name} mounts read-only`).toMatch(/:ro$/);
      }
    }
    const mount = services.temporal!.volumes!.find((v) => v.startsWith('./deploy/temporal/dynamicconfig.yaml:'))!;
    expect(services.temporal!.environment!.DYNAMIC_CONFIG_FILE_PATH).toBe(mount.split(':')[1]);
    const dynamic = parse(readFileSync(new URL('deploy/temporal/dynamicconfig.yaml', root), 'utf8')) as Record<string, Array<{ value: unknown }>>;
    expect(dynamic['system.enableActivityEagerExecution']).toEqual([{ value: true }]);
    expect(dynamic['system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute']![0]!.value).toBeGreaterThan(0);
    for (const name of oneShots) {
      const script = services[name]!.entrypoint!.at(-1)!;
      expect(services[name]!.volumes!.some((v) => v.split(':')[1] === script), `${name} runs its mounted script`).toBe(true);
    }
  });

  it('creates every search attribute the workflows set', () => {
    const listed = String(services['temporal-setup']!.environment!.SEARCH_ATTRIBUTES).split(/\s+/).sort();
    expect(listed).toEqual(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`).sort());
  });

  it('runs the API and the worker from the Dockerfile targets, with the image command and a drain-sized stop grace', () => {
    const stages = readStages();
    for (const name of ['api', 'worker'] as const) {
      expect(services[name]!.build).toEqual({ context: '.', target: name });
      expect(stages.has(name)).toBe(true);
      // No override: what runs is the image's CMD, the one test/integration/container-entry.test.ts starts.
      expect(services[name]!.command).toBeUndefined();
      expect(services[name]!.healthcheck!.test).toEqual(['CMD', ...execForm(stages.get(name)!, 'HEALTHCHECK')!]);
    }
    expect(seconds(services.worker!.stop_grace_period!)).toBeGreaterThanOrEqual(60);
  });

  it('wires the app to the compose services through variables the config knows', () => {
    for (const name of ['api', 'worker'] as const) {
      const env = services[name]!.environment!;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/pbas:.*@postgres:5432\/pbas$/);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TEMPORAL_NAMESPACE).toBe(services['temporal-setup']!.environment!.TEMPORAL_NAMESPACE);
      for (const key of Object.keys(env)) expect(Object.keys(envSchema.shape)).toContain(key);
      for (const key of ['SECRETS_KEY', 'ADMIN_API_KEY', 'PASSWORDBOSS_API_TOKEN']) expect(String(env[key])).toMatch(/^\$\{/);
    }
  });
});
