// The image's HEALTHCHECK and the Kubernetes exec probe: `node scripts/healthcheck.mjs api|worker`.
// Plain JavaScript on purpose: a probe runs every few seconds, and without the TypeScript loader
// it starts in tens of milliseconds instead of hundreds. Exit 0 healthy, 1 not, 2 misused.
import { statSync } from 'node:fs';

const role = process.argv[2];

if (role === 'api') {
  // /readyz: the database migrated and answering, Temporal reachable (503 with the reason else).
  const path = process.argv[3] ?? '/readyz';
  const url = `http://127.0.0.1:${process.env.PORT || 3000}${path}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4_000) });
    process.exit(res.ok ? 0 : 1);
  } catch {
    process.exit(1);
  }
} else if (role === 'worker') {
  // The worker rewrites WORKER_HEALTH_FILE every 5 s while it polls or drains (worker/health-file.ts).
  const file = process.env.WORKER_HEALTH_FILE;
  const maxAgeMs = Number(process.env.WORKER_HEALTH_MAX_AGE_MS || 30_000);
  if (!file) {
    process.stderr.write('WORKER_HEALTH_FILE is not set\n');
    process.exit(2);
  }
  try {
    process.exit(Date.now() - statSync(file).mtimeMs <= maxAgeMs ? 0 : 1);
  } catch {
    process.exit(1);
  }
} else {
  process.stderr.write('usage: node scripts/healthcheck.mjs api [path] | worker\n');
  process.exit(2);
}
