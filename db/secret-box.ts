/**
 * AES-256-GCM for the Autotask secret at rest, with key ids so keys can rotate.
 *
 * Stored forms (base64url parts):
 * - `v2.<keyId>.<iv>.<tag>.<ciphertext>`: written now. `keyId` names the key (derived from the
 *   key itself, so nobody has to name keys), and the partner id is the associated data: a
 *   ciphertext copied into another partner's row fails authentication instead of decrypting.
 * - `v1.<iv>.<tag>.<ciphertext>`: written before key rotation existed (one key, no associated
 *   data). Still read, with every configured key in turn; `npm run secrets:rotate` rewrites such
 *   rows as v2 under the newest key.
 *
 * `SECRETS_KEY` holds one key or several, comma-separated, newest first: the newest encrypts,
 * any of them decrypts (config/env.ts, SECURITY.md).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * What a sealed secret is for, bound into it with the partner: a ciphertext copied into another
 * column (the webhook secret into the Autotask one) fails authentication like one copied to
 * another partner.
 */
export type SecretPurpose = 'autotask-secret' | 'webhook-secret';

export interface SecretBox {
  /** Seals a secret for one partner under the newest key. */
  seal(plaintext: string, partnerId: string, purpose?: SecretPurpose): string;
  /** Opens a secret sealed for this partner; throws when it is unreadable or belongs to another partner. */
  open(sealed: string, partnerId: string, purpose?: SecretPurpose): string;
  /** True when the value is not v2 under the newest key (what rotation rewrites). */
  needsRotation(sealed: string): boolean;
  /** The newest key's id. */
  readonly currentKeyId: string;
}

/** A short, stable name for a key that reveals nothing about it (a hash of it, domain-separated). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('pb-autotask-sync secret key id\0').update(key).digest('base64url').slice(0, 10);
}

const associatedData = (partnerId: string, purpose: SecretPurpose) => Buffer.from(`pb-autotask-sync/${purpose}/partner:${partnerId}`, 'utf8');

export function createSecretBox(keys: Buffer | readonly Buffer[]): SecretBox {
  const list = Buffer.isBuffer(keys) ? [keys] : [...keys];
  if (list.length === 0) throw new Error('SECRETS_KEY must hold at least one key');
  for (const key of list) if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes');
  const byId = new Map(list.map((key) => [keyId(key), key] as const));
  const newest = list[0]!;
  const currentKeyId = keyId(newest);

  function decrypt(key: Buffer, iv: string, tag: string, ct: string, aad?: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  return {
    currentKeyId,
    seal(plaintext, partnerId, purpose = 'autotask-secret') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', newest, iv);
      cipher.setAAD(associatedData(partnerId, purpose));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v2', currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed, partnerId, purpose = 'autotask-secret') {
      const parts = sealed.split('.');
      if (parts[0] === 'v2' && parts.length === 5) {
        const [, kid, iv, tag, ct] = parts as [string, string, string, string, string];
        const key = byId.get(kid);
        if (!key) throw new Error(`unreadable sealed secret: sealed under key ${kid}, which SECRETS_KEY no longer holds`);
        return decrypt(key, iv, tag, ct, associatedData(partnerId, purpose));
      }
      if (parts[0] === 'v1' && parts.length === 4) {
        const [, iv, tag, ct] = parts as [string, string, string, string];
        for (const key of list) {
          try {
            return decrypt(key, iv, tag, ct);
          } catch {
            // Try the next key: v1 does not say which one sealed it.
          }
        }
        throw new Error('unreadable sealed secret: no key in SECRETS_KEY opens it');
      }
      throw new Error('unreadable sealed secret');
    },
    needsRotation(sealed) {
      const parts = sealed.split('.');
      return !(parts[0] === 'v2' && parts[1] === currentKeyId);
    },
  };
}
