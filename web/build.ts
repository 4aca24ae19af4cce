/**
 * Builds the portal in memory with esbuild (no files, no downloads): a hashed JS bundle, the CSS
 * under a hashed name, and index.html pointing at both.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export interface PortalBuild {
  index: string;
  assets: Map<string, { body: Buffer; type: string }>;
}

const webDir = path.dirname(new URL(import.meta.url).pathname);
const hash = (b: Buffer | string) => createHash('sha256').update(b).digest('hex').slice(0, 10);

export async function buildPortal(): Promise<PortalBuild> {
  const result = await build({
    entryPoints: [path.join(webDir, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    write: false,
    logLevel: 'silent',
  });
  const js = Buffer.from(result.outputFiles[0]!.contents);
  const css = readFileSync(path.join(webDir, 'src', 'styles.css'));
  const jsName = `app-${hash(js)}.js`;
  const cssName = `app-${hash(css)}.css`;
  const index = readFileSync(path.join(webDir, 'index.html'), 'utf8').replace('__JS__', jsName).replace('__CSS__', cssName);
  return {
    index,
    assets: new Map([
      [jsName, { body: js, type: 'text/javascript; charset=utf-8' }],
      [cssName, { body: css, type: 'text/css; charset=utf-8' }],
    ]),
  };
}
