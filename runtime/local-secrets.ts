/**
 * Embedded defaults for the keys a deployment must set: when SECRETS_KEY, ADMIN_API_KEY or the
 * simulator's Password Boss token are unset, they are generated once and kept (mode 0600) in
 * DATA_DIR/secrets.json, so a restarted `npm start` can still decrypt what it stored.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decodeKeys, type Env } from '../config/env.ts';
import { ensurePrivateDir } from '../db/private-dir.ts';

const fileSchema = z.object({
  secretsKey: z.string(),
  adminApiKey: z.string(),
  passwordbossToken: z.string(),
});

export interface LocalSecrets {
  /** SECRETS_KEY's keys, newest first (the newest encrypts, any decrypts). */
  secretsKeys: Buffer[];
  adminApiKey: string;
  /** Which values came from DATA_DIR rather than the environment. */
  generated: Array<'SECRETS_KEY' | 'ADMIN_API_KEY'>;
  /** Token the embedded Password Boss simulator accepts. */
  passwordbossToken: string;
}

export function resolveLocalSecrets(env: Env): LocalSecrets {
  const needFile = !env.SECRETS_KEY || !env.ADMIN_API_KEY || !env.PASSWORDBOSS_API_TOKEN;
  const stored = needFile ? readOrCreate(env.DATA_DIR) : undefined;
  const generated: LocalSecrets['generated'] = [];
  if (!env.SECRETS_KEY) generated.push('SECRETS_KEY');
  if (!env.ADMIN_API_KEY) generated.push('ADMIN_API_KEY');
  const secretsKeys = decodeKeys(env.SECRETS_KEY ?? stored!.secretsKey);
  if (!secretsKeys) throw new Error('SECRETS_KEY is not one or more 32-byte keys');
  return {
    secretsKeys,
    adminApiKey: env.ADMIN_API_KEY ?? stored!.adminApiKey,
    passwordbossToken: env.PASSWORDBOSS_API_TOKEN ?? stored!.passwordbossToken,
    generated,
  };
}

function readOrCreate(dataDir: string): z.infer<typeof fileSchema> {
  const file = path.resolve(dataDir, 'secrets.json');
  if (existsSync(file)) return fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  ensurePrivateDir(path.dirname(file));
  const created = {
    secretsKey: randomBytes(32).toString('hex'),
    adminApiKey: `pbas_admin_${randomBytes(24).toString('base64url')}`,
    passwordbossToken: `pbsim_${randomBytes(24).toString('base64url')}`,
  };
  writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600, flag: 'wx' });
  return created;
}
