/** No Docker engine runs here, so the compose file is checked as a file: services, images, ports, wiring. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../config/env.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, unknown> | string[];
}
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal on PostgreSQL, the Temporal UI, the API and the worker', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'api', 'worker']));
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('runs the API and the worker from the project image with their npm scripts', () => {
    expect(services.api!.build).toBe('.');
    expect(services.api!.command).toEqual(['npm', 'run', 'api']);
    expect(services.worker!.command).toEqual(['npm', 'run', 'worker']);
    expect(services.api!.ports).toContain('3000:3000');
    expect(services['temporal-ui']!.ports).toContain('127.0.0.1:8080:8080');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.api).toBeDefined();
    expect(pkg.scripts.worker).toBeDefined();
  });

  it('publishes Temporal and its UI (no authentication, every partner visible) on loopback only', () => {
    expect(services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(services['temporal-ui']!.ports).toEqual(['127.0.0.1:8080:8080']);
    for (const [name, service] of Object.entries(services)) {
      if (name === 'api') continue;
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('keeps secrets, local state, tools and test output out of the image', () => {
    const ignored = readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.env', '.env.*', '.data', '.tools', 'node_modules', 'screenshots', '.schemathesis', '*.log']) expect(ignored, entry).toContain(entry);
  });

  it('wires the app to the compose services through variables the config knows', () => {
    for (const name of ['api', 'worker'] as const) {
      const env = services[name]!.environment!;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/pbas:.*@postgres:5432\/pbas$/);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      for (const key of Object.keys(env)) expect(Object.keys(envSchema.shape)).toContain(key);
      for (const key of ['SECRETS_KEY', 'ADMIN_API_KEY', 'PASSWORDBOSS_API_TOKEN']) expect(String(env[key])).toMatch(/^\$\{/);
    }
    expect(services.api!.depends_on).toHaveProperty('postgres');
    expect(services.worker!.depends_on).toHaveProperty('temporal');
  });
});
