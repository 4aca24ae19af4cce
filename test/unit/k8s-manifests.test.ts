/**
 * The Kubernetes manifests as files (no cluster here; scripts/check-deploy.sh validates them
 * against the Kubernetes schemas): what runs, in which image, with which probes, limits and
 * security settings, and that secrets only ever come from the Secret.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { envSchema } from '../../config/env.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.ts';
import { execForm, readStages } from '../support/dockerfile.ts';

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface Probe {
  httpGet?: { path: string };
  exec?: { command: string[] };
}
interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
}
interface Resource {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { replicas?: number; template?: { spec: PodSpec } };
}

const dir = new URL('../../deploy/k8s/', import.meta.url);
const load = (file: URL) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Resource);
const kustomization = parse(readFileSync(new URL('kustomization.yaml', dir), 'utf8')) as { resources: string[]; images: Array<{ name: string }> };
const resources = kustomization.resources.flatMap((f) => load(new URL(f, dir)));
const optional = readdirSync(new URL('optional/', dir)).flatMap((f) => load(new URL(`optional/${f}`, dir)));
const byName = (kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name)!;
const podSpecs = [...resources, ...optional].filter((r) => r.spec?.template).map((r) => [r.metadata.name, r.spec!.template!.spec] as const);
const api = byName('Deployment', 'pb-autotask-sync-api').spec!;
const worker = byName('Deployment', 'pb-autotask-sync-worker').spec!;
const migrate = byName('Job', 'pb-autotask-sync-migrate').spec!;
const secretNames = ['DATABASE_URL', 'SECRETS_KEY', 'ADMIN_API_KEY', 'PASSWORDBOSS_API_TOKEN', 'TEMPORAL_API_KEY', 'AUTOTASK_INTEGRATION_CODE'];

describe('deploy/k8s', () => {
  it('lists every manifest of the folder in its kustomization', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(resources.map((r) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Job', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Service']);
    expect(kustomization.images.map((i) => i.name).sort()).toEqual(['pb-autotask-sync-api', 'pb-autotask-sync-worker']);
  });

  it("runs each image's own command, the one the Dockerfile target and the entry test use", () => {
    const stages = readStages();
    for (const [spec, role] of [[api, 'api'], [worker, 'worker']] as const) {
      const [container] = spec.template!.spec.containers;
      expect(container!.image).toBe(`pb-autotask-sync-${role}`);
      expect(stages.has(role)).toBe(true);
      expect(container!.command).toBeUndefined();
      expect(container!.args).toBeUndefined();
    }
    // The worker's probe is the image's HEALTHCHECK command.
    const healthcheck = execForm(stages.get('worker')!, 'HEALTHCHECK');
    expect(worker.template!.spec.containers[0]!.livenessProbe!.exec!.command).toEqual(healthcheck);
    expect(worker.template!.spec.containers[0]!.startupProbe!.exec!.command).toEqual(healthcheck);
  });

  it('migrates in a Job with the same command as npm run db:migrate', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const [container] = migrate.template!.spec.containers;
    expect(container!.command!.join(' ')).toBe(pkg.scripts['db:migrate']);
    expect(container!.image).toBe('pb-autotask-sync-api');
  });

  it('gives the worker more time to stop than its drain takes, and probes both services', () => {
    // runtime/shutdown.ts exits by 45 s at the latest.
    expect(worker.template!.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(worker.replicas).toBeGreaterThanOrEqual(2);
    const [apiContainer] = api.template!.spec.containers;
    expect(apiContainer!.readinessProbe!.httpGet!.path).toBe('/readyz');
    expect(apiContainer!.livenessProbe!.httpGet!.path).toBe('/healthz');
  });

  it('runs every pod as non-root on a read-only root file system with limits', () => {
    for (const [name, spec] of podSpecs) {
      expect(spec.securityContext, name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.automountServiceAccountToken, name).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext, name).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources?.requests?.cpu, name).toBeDefined();
        expect(c.resources?.limits?.memory, name).toBeDefined();
        if (c.image.startsWith('pb-autotask-sync-')) expect(c.volumeMounts, `${name} writes /tmp`).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });

  it('takes secrets from the Secret only, and settings the config knows from the ConfigMap', () => {
    const config = byName('ConfigMap', 'pb-autotask-sync').data!;
    for (const key of Object.keys(config)) expect(Object.keys(envSchema.shape)).toContain(key);
    for (const name of secretNames) expect(config[name], name).toBeUndefined();
    for (const [name, spec] of podSpecs) {
      for (const c of spec.containers.filter((x) => x.image.startsWith('pb-autotask-sync-'))) {
        expect(c.envFrom, name).toEqual([{ configMapRef: { name: 'pb-autotask-sync' } }, { secretRef: { name: 'pb-autotask-sync' } }]);
        for (const e of c.env ?? []) expect(secretNames, `${name}: ${e.name} inline`).not.toContain(e.name);
      }
    }
    expect(resources.some((r) => r.kind === 'Secret')).toBe(false);
  });

  it('sets up Temporal with the search attributes the workflows set, on the tested Temporal version', () => {
    const job = optional.find((r) => r.metadata.name === 'pb-autotask-sync-temporal-setup')!;
    const [container] = job.spec!.template!.spec.containers;
    const listed = String(container!.env!.find((e) => e.name === 'SEARCH_ATTRIBUTES')!.value).split(/\s+/).sort();
    expect(listed).toEqual(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`).sort());
    const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as { services: { temporal: { image: string } } };
    expect(container!.image.split(':')[1]).toBe(compose.services.temporal.image.split(':')[1]);
  });
});
