/**
 * Embedded PGlite and the dev server's SQLite file belong to one process. A pid file taken with
 * O_EXCL makes a second `npm start` on the same DATA_DIR stop with a clear message; a stale file
 * (its process is gone) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ensurePrivateDir } from '../db/private-dir.ts';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

export function lockDataDir(dataDir: string): () => void {
  ensurePrivateDir(dataDir);
  const file = path.resolve(dataDir, 'instance.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      const release = () => rmSync(file, { force: true });
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `another instance (pid ${pid}) is using ${path.resolve(dataDir)}; stop it first or set DATA_DIR to another folder`
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`could not lock ${path.resolve(dataDir)}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
