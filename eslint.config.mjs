// Type-aware lint: floating promises everywhere; in workflow files, no Node built-ins and no
// module that does I/O (workflow code must stay deterministic and replayable); and the house's
// layers: each folder imports only the folders below it (docs/design.md, "Architecture").
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const ioModules = ['undici', 'postgres', 'pino', 'fastify', '@electric-sql/pglite', 'drizzle-orm', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'];

/** Every top-level folder an import can reach. */
const folders = ['api', 'worker', 'temporal', 'activities', 'deps', 'workflows', 'runtime', 'db', 'integrations', 'config', 'sync', 'web', 'scripts', 'simulators', 'bench', 'test'];

/**
 * What each folder may import (top of the house first); `types` may be imported as types only.
 * The entries (api/main.ts, worker/main.ts, scripts/) compose everything and are not listed.
 */
const layers = {
  // web/build.ts only: the API builds the portal in memory at start-up (web/src is browser code).
  api: { may: ['temporal', 'deps', 'db', 'integrations', 'runtime', 'config', 'sync', 'web'], types: ['workflows'] },
  worker: { may: ['activities', 'deps', 'runtime', 'config'] },
  temporal: { may: ['deps', 'db', 'runtime', 'config', 'sync', 'workflows'] },
  activities: { may: ['deps', 'db', 'integrations', 'runtime', 'sync'] },
  deps: { may: ['db', 'integrations', 'runtime', 'config', 'sync'] },
  workflows: { may: ['sync'], types: ['activities'] },
  runtime: { may: ['db', 'config'] },
  db: { may: ['sync', 'config'] },
  integrations: { may: ['sync', 'config'] },
  config: { may: [] },
  sync: { may: [] },
  'web/src': { may: [], types: ['api'] },
};

/** `../x/…`, `../../x/…`: a relative import that reaches top-level folder x. */
const reaching = (names) => `^(\\.\\./)+(${names.join('|')})/`;

function layerPatterns(folder) {
  const { may, types = [] } = layers[folder];
  const top = folder.split('/')[0];
  const forbidden = folders.filter((f) => f !== top && !may.includes(f) && !types.includes(f));
  const allowed = [...may, ...types.map((t) => `types from ${t}`)];
  const patterns = [{ regex: reaching(forbidden), message: `${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'itself'}: keep imports pointing down the layers (docs/design.md, "Architecture")` }];
  if (types.length) patterns.push({ regex: reaching(types), allowTypeImports: true, message: `${folder}/ may import only types from ${types.join(', ')}` });
  return patterns;
}

/** sync/ and config/ are the bottom of the house: nothing but themselves and zod. */
const bottomOnly = { regex: '^(?!\\./|zod$)', message: 'sync/ and config/ import only their own folder and zod' };

const workflowPaths = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...ioModules].map((name) => ({ name, message: 'workflow code must be deterministic: do I/O in an activity' }));

const layerConfigs = Object.keys(layers).map((folder) => ({
  files: [`${folder}/**/*.ts`],
  ignores: ['api/main.ts', 'worker/main.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      ...(folder === 'workflows' ? { paths: workflowPaths } : {}),
      patterns: [
        ...layerPatterns(folder),
        ...(folder === 'sync' || folder === 'config' ? [bottomOnly] : []),
        ...(folder === 'api' ? [{ regex: reaching(['web/src']), message: 'api/ serves the portal through web/build.ts; it does not import browser code' }] : []),
        // The activities' files are assembled by index.ts; importing it back makes a circle.
        ...(folder === 'activities' ? [{ regex: '^\\./index(\\.ts)?$', message: 'activities/*.ts must not import activities/index.ts: take Deps from deps/deps.ts' }] : []),
      ],
    }],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'dist/', 'db/migrations/', 'web/dist/', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layerConfigs
);
