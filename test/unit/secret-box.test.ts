import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyId } from '../../db/secret-box.ts';

/** A secret as the single-key version wrote it (`v1.<iv>.<tag>.<ct>`, no associated data). */
function legacySeal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('s3cr3t-Ünïcode', 'p1');
    expect(sealed).not.toContain('s3cr3t');
    expect(sealed.startsWith(`v2.${keyId(key)}.`)).toBe(true);
    expect(box.open(sealed, 'p1')).toBe('s3cr3t-Ünïcode');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', 'p1')).not.toBe(box.seal('same', 'p1'));
  });

  it('rejects tampering and the wrong key', () => {
    const sealed = box.seal('value', 'p1');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 4), flipped.toString('base64url')].join('.'), 'p1')).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'p1')).toThrow(/no longer holds/);
    expect(() => box.open('garbage', 'p1')).toThrow(/unreadable/);
  });

  it("refuses a ciphertext copied into another partner's row", () => {
    const sealed = box.seal('partner one only', 'p1');
    expect(() => box.open(sealed, 'p2')).toThrow();
  });

  it('still reads the single-key format that installed databases hold', () => {
    expect(box.open(legacySeal(key, 'from before rotation'), 'any')).toBe('from before rotation');
    expect(box.needsRotation(legacySeal(key, 'x'))).toBe(true);
  });

  it('encrypts with the newest key and decrypts with any', () => {
    const older = randomBytes(32);
    const newer = randomBytes(32);
    const oldBox = createSecretBox(older);
    const both = createSecretBox([newer, older]);
    const sealedOld = oldBox.seal('old', 'p1');
    expect(both.open(sealedOld, 'p1')).toBe('old');
    expect(both.open(legacySeal(older, 'older still'), 'p1')).toBe('older still');
    const sealedNew = both.seal('new', 'p1');
    expect(sealedNew.split('.')[1]).toBe(keyId(newer));
    expect(both.needsRotation(sealedNew)).toBe(false);
    expect(both.needsRotation(sealedOld)).toBe(true);
    expect(createSecretBox(newer).open(sealedNew, 'p1')).toBe('new');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => createSecretBox([])).toThrow(/at least one/);
  });
});
