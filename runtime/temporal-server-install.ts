/**
 * Finds or builds Temporal's production server and its schema tool for the pinned version.
 * Temporal's release downloads are out of reach on locked-down machines, but the Go module proxy
 * is not: `go install` builds both from source into the git-ignored tools folder, once (about
 * 3 minutes on 2 cores). The schema tool embeds the PostgreSQL schema, so nothing else is kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isExecutable, toolsDir } from './temporal-cli.ts';
import { TEMPORAL_SERVER_VERSION } from './temporal-server-version.ts';

export interface TemporalServerBinaries {
  /** `go.temporal.io/server/cmd/server`: all services, or one per process with `--service`. */
  server: string;
  /** `go.temporal.io/server/cmd/tools/sql` (temporal-sql-tool): creates and migrates the schema. */
  sqlTool: string;
}

export const serverInstallDir = path.join(toolsDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);

const packages = {
  'temporal-server': 'go.temporal.io/server/cmd/server',
  'temporal-sql-tool': 'go.temporal.io/server/cmd/tools/sql',
} as const;

function binariesIn(dir: string): TemporalServerBinaries {
  return { server: path.join(dir, 'bin', 'temporal-server'), sqlTool: path.join(dir, 'bin', 'temporal-sql-tool') };
}


/** The binaries' paths, building them first when they are not in the tools folder yet. */
export function resolveTemporalServer(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): TemporalServerBinaries {
  const installed = binariesIn(serverInstallDir);
  if (isExecutable(installed.server) && isExecutable(installed.sqlTool)) return installed;

  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) throw new Error(goMissing());
  // Built beside the final folder and renamed at the end, so a build cut short leaves nothing
  // that looks installed.
  const staging = `${serverInstallDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'bin'), { recursive: true });
  try {
    for (const [name, pkg] of Object.entries(packages)) {
      log(`Building ${name} ${TEMPORAL_SERVER_VERSION} with go install (minutes on a fresh machine)…`);
      const go = spawnSync('go', ['install', `${pkg}@v${TEMPORAL_SERVER_VERSION}`], {
        // GOBIN is a folder of its own per package: both build a binary named after their folder.
        env: { ...process.env, GOBIN: path.join(staging, name) },
        stdio: ['ignore', 2, 2],
        timeout: 1_800_000,
      });
      const built = path.join(staging, name, path.basename(pkg));
      if (go.status !== 0 || !existsSync(built)) {
        throw new Error(`go install ${pkg}@v${TEMPORAL_SERVER_VERSION} failed (exit ${go.status ?? go.signal}); its output is above. Check that the Go module proxy (go env GOPROXY) is reachable and try again.`);
      }
      renameSync(built, path.join(staging, 'bin', name));
      rmSync(path.join(staging, name), { recursive: true, force: true });
    }
    rmSync(serverInstallDir, { recursive: true, force: true });
    renameSync(staging, serverInstallDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return installed;
}

function goMissing(): string {
  return [
    `Temporal server ${TEMPORAL_SERVER_VERSION} is not installed in ${path.relative(process.cwd(), serverInstallDir) || serverInstallDir}, and \`go\` is not on PATH to build it.`,
    'Fix one of these and try again:',
    '  - install Go 1.25 or later (https://go.dev/dl/; the server module requires it) and put `go` on PATH',
    `  - or build elsewhere and copy the binaries to ${path.join(serverInstallDir, 'bin')}:`,
    `      GOBIN=… go install ${packages['temporal-server']}@v${TEMPORAL_SERVER_VERSION}   → temporal-server`,
    `      GOBIN=… go install ${packages['temporal-sql-tool']}@v${TEMPORAL_SERVER_VERSION}   → temporal-sql-tool`,
  ].join('\n');
}
