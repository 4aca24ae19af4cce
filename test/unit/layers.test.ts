/**
 * The house reads top-down (docs/design.md, "Architecture"): ESLint refuses a wrong-way import,
 * and the real import graph has no circle, plumbing (runtime/) that reaches up, or a pure core
 * (sync/) that depends on anything but itself and zod.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('ESLint enforces the layers', () => {
  let eslint: ESLint;
  beforeAll(() => {
    // Only the import rules matter here: without type information ESLint does not build the
    // whole TypeScript program, which takes a minute on a busy 2-core machine.
    eslint = new ESLint({
      cwd: root,
      overrideConfig: {
        languageOptions: { parserOptions: { projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
      },
    });
  });

  // The snippet stands in for an existing file's text, so each folder's rules apply to it.
  const restricted = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
    const fatal = result!.messages.find((m) => m.fatal);
    if (fatal) throw new Error(fatal.message);
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it.each([
    ['runtime/logger.ts', "import { buildApp } from '../api/app.ts';\nexport const f = buildApp;\n"],
    ['runtime/logger.ts', "export { partnerWorkflowId } from '../workflows/inputs.ts';\n"],
    ['sync/plan.ts', "import { syncRuns } from '../db/schema.ts';\nexport const t = syncRuns;\n"],
    ['sync/plan.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['db/schema.ts', "import { createDeps } from '../deps/deps.ts';\nexport const c = createDeps;\n"],
    ['activities/company.ts', "import { createActivities } from './index.ts';\nexport const c = createActivities;\n"],
    ['integrations/autotask/client.ts', "import { findSettings } from '../../db/repositories/autotask-settings.ts';\nexport const f = findSettings;\n"],
    ['workflows/inputs.ts', "import { createActivities } from '../activities/index.ts';\nexport const c = createActivities;\n"],
    ['web/src/api.ts', "import { buildApp } from '../../api/app.ts';\nexport const b = buildApp;\n"],
  ])('refuses a wrong-way import in %s', async (file, code) => {
    expect(await restricted(file, code)).not.toEqual([]);
  }, 60_000);

  it.each([
    ['runtime/logger.ts', "import type { Db } from '../db/client.ts';\nexport type D = Db;\n"],
    ['workflows/inputs.ts', "import type { Activities } from '../activities/index.ts';\nexport type A = Activities;\n"],
    ['web/src/api.ts', "import type { App } from '../../api/app.ts';\nexport type B = App;\n"],
    ['api/app.ts', "import { createSyncStarter } from '../temporal/sync-starter.ts';\nexport const s = createSyncStarter;\n"],
  ])('allows an import down the layers in %s', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  }, 60_000);
});

// --- the real import graph ------------------------------------------------------------------

const skipped = new Set(['node_modules', 'test', '.tools', '.data', 'dist', '.git']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skipped.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every module a file names in an import, an `export … from` or a dynamic import. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

interface Graph {
  /** File (relative to the root) → the files it imports. */
  files: Map<string, string[]>;
  /** File → the packages it imports. */
  packages: Map<string, string[]>;
}

export function importGraph(dir: string): Graph {
  const files = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const rel = path.relative(dir, file);
    const local: string[] = [];
    const external: string[] = [];
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        external.push(spec);
        continue;
      }
      const target = path.resolve(path.dirname(file), spec);
      if (!existsSync(target)) throw new Error(`${rel} imports ${spec}, which does not exist`);
      local.push(path.relative(dir, target));
    }
    files.set(rel, local);
    packages.set(rel, external);
  }
  return { files, packages };
}

/** The first circle found by a depth-first walk, as the files around it; undefined when none. */
export function findCycle(files: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const next of files.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of files.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

const topFolder = (file: string) => file.split(path.sep)[0]!;

describe('the import graph', () => {
  const graph = importGraph(root);

  it('sees the whole house', () => {
    expect(graph.files.get(path.join('api', 'app.ts'))).toContain(path.join('temporal', 'schedules.ts'));
    expect(graph.files.size).toBeGreaterThan(100);
  });

  it('has no import circle', () => {
    expect(findCycle(graph.files)?.join(' → ')).toBeUndefined();
  });

  it('finds a circle when there is one', () => {
    expect(findCycle(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]))).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it('keeps runtime/ to plumbing: it imports only runtime/, db/ and config/', () => {
    const upward = [...graph.files].flatMap(([file, targets]) => (topFolder(file) === 'runtime' ? targets.filter((t) => !['runtime', 'db', 'config'].includes(topFolder(t))).map((t) => `${file} → ${t}`) : []));
    expect(upward).toEqual([]);
  });

  it('keeps sync/ pure: it imports only sync/ and zod', () => {
    const outside = [...graph.files].flatMap(([file, targets]) => (topFolder(file) === 'sync' ? [...targets.filter((t) => topFolder(t) !== 'sync'), ...graph.packages.get(file)!.filter((p) => p !== 'zod')].map((t) => `${file} → ${t}`) : []));
    expect(outside).toEqual([]);
  });
});
