// Type-aware lint: floating promises everywhere; in workflow files, no Node built-ins and no
// module that does I/O (workflow code must stay deterministic and replayable).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const ioModules = ['undici', 'postgres', 'pino', 'fastify', '@electric-sql/pglite', 'drizzle-orm', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'];

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
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...ioModules].map((name) => ({ name, message: 'workflow code must be deterministic: do I/O in an activity' })),
        patterns: [{ group: ['../activities/*', '../db/*', '../integrations/*', '../api/*', '../runtime/*'], message: 'workflows may import only types from there', allowTypeImports: true }],
      }],
    },
  }
);
