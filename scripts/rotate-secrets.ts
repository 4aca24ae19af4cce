/**
 * `npm run secrets:rotate`: re-encrypts every stored Autotask secret and webhook signing secret under the newest key in
 * SECRETS_KEY (the first one). With PostgreSQL it runs beside the live service (see
 * db/secret-rotation.ts); the embedded PGlite database belongs to one process, so stop
 * `npm start` first. Prints counts, never a secret; exits 1 when some row no key opens.
 */
import { loadEnv } from '../config/env.ts';
import { createDb } from '../db/client.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { rotateSecrets } from '../db/secret-rotation.ts';
import { lockDataDir } from '../runtime/data-dir-lock.ts';
import { resolveLocalSecrets } from '../runtime/local-secrets.ts';

const env = loadEnv();
const say = (line: string) => process.stdout.write(`${line}\n`);
try {
  if (!env.DATABASE_URL) lockDataDir(env.DATA_DIR);
  const secrets = resolveLocalSecrets(env);
  const box = createSecretBox(secrets.secretsKeys);
  const handle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, maxConnections: 2 });
  try {
    await handle.migrate();
    const report = await rotateSecrets(handle.db, box);
    say(`secrets:rotate: newest key ${box.currentKeyId}; ${report.rotated} re-encrypted, ${report.current} already current, ${report.changedMeanwhile} re-saved by someone meanwhile`);
    if (report.unreadable.length > 0) {
      say(`secrets:rotate: no key in SECRETS_KEY opens the secret of ${report.unreadable.length} partner(s): ${report.unreadable.join(', ')}; add the key they were sealed with to SECRETS_KEY and run again, or have them enter the secret again`);
      process.exitCode = 1;
    } else if (secrets.secretsKeys.length > 1) {
      say('secrets:rotate: every secret is under the newest key; the older keys can now be removed from SECRETS_KEY once every process runs with the new one');
    }
  } finally {
    await handle.close();
  }
} catch (err) {
  process.stderr.write(`secrets:rotate failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
