/**
 * DATA_DIR holds the embedded database (partners' sealed secrets, API key digests) and
 * secrets.json (the generated SECRETS_KEY and admin key): readable by this user only. New
 * folders are created 0700, and a folder an earlier version created 0755 is tightened.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch {
    // Not ours to change (another owner, a read-only mount): leave it as the operator set it.
  }
}
