/**
 * CI proves the server it builds (runtime/temporal-server-version.ts); docker-compose.yml and the
 * Kubernetes manifests must deploy that same one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_SERVER_VERSION } from '../../runtime/temporal-server-version.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const serverImage = /\btemporalio\/(server|auto-setup|admin-tools):([^\s"']+)/g;

function yamlFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

describe('the pinned Temporal server version', () => {
  it('is the tag of every Temporal server image in docker-compose.yml and deploy/', () => {
    const found: Array<{ file: string; image: string; tag: string }> = [];
    for (const file of ['docker-compose.yml', ...yamlFiles('deploy')]) {
      for (const m of readFileSync(path.join(root, file), 'utf8').matchAll(serverImage)) found.push({ file, image: m[0], tag: m[2]! });
    }
    expect(found.filter((f) => f.file === 'docker-compose.yml').length, 'docker-compose.yml runs a Temporal server image').toBeGreaterThan(0);
    for (const f of found) expect(f.tag, `${f.image} in ${f.file}`).toBe(TEMPORAL_SERVER_VERSION);
  });
});
