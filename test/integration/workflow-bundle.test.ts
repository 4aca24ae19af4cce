/**
 * The worker's bundle preloads the modules every workflow shares. If webpack dropped the preload
 * (zod declares itself free of side effects), each child workflow would evaluate zod again; without
 * the workflows and the interceptors in it, each would evaluate them and sync/ behind them again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';

describe('the workflow bundle', () => {
  it('preloads zod and the input schemas once per V8 context', () => {
    const code = readFileSync(inject('workflowBundlePath'), 'utf8');
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    expect(preload).toContain('"./workflows/shared-modules.ts"');
  });

  it('preloads the workflows and the interceptors once per V8 context', () => {
    const code = readFileSync(inject('workflowBundlePath'), 'utf8');
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    expect(preload).toContain('"./workflows/index.ts"');
    expect(preload).toContain('"./worker/workflow-interceptors.ts"');
  });
});
