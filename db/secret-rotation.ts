/**
 * Re-seals every stored secret (Autotask secrets and webhook signing secrets) under the newest
 * key, and as v2, bound to its partner and purpose. Safe while the service runs: each row is
 * rewritten with a compare-and-set on the old ciphertext, so a secret someone saved in the
 * meantime is left as they saved it, and every process that holds both keys reads the row
 * before, during and after.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from './client.ts';
import { autotaskSettings, notificationSettings } from './schema.ts';
import type { SecretBox, SecretPurpose } from './secret-box.ts';

export interface RotationReport {
  /** Rows rewritten under the newest key. */
  rotated: number;
  /** Rows already under the newest key. */
  current: number;
  /** Rows changed by someone else while rotating (already re-saved; left alone). */
  changedMeanwhile: number;
  /** Partners whose secret no configured key opens: they must enter it again (a webhook secret: `<partner> (webhook)`). */
  unreadable: string[];
}

/** One column of sealed secrets: how to list its rows and compare-and-set one. */
interface SealedColumn {
  purpose: SecretPurpose;
  label: (partnerId: string) => string;
  list(db: Db): Promise<Array<{ partnerId: string; sealed: string | null }>>;
  replace(db: Db, partnerId: string, from: string, to: string): Promise<boolean>;
}

const columns: SealedColumn[] = [
  {
    purpose: 'autotask-secret',
    label: (partnerId) => partnerId,
    list: (db) => db.select({ partnerId: autotaskSettings.partnerId, sealed: autotaskSettings.secretCiphertext }).from(autotaskSettings).where(isNotNull(autotaskSettings.secretCiphertext)),
    async replace(db, partnerId, from, to) {
      const rows = await db.update(autotaskSettings).set({ secretCiphertext: to })
        .where(and(eq(autotaskSettings.partnerId, partnerId), eq(autotaskSettings.secretCiphertext, from)))
        .returning({ partnerId: autotaskSettings.partnerId });
      return rows.length > 0;
    },
  },
  {
    purpose: 'webhook-secret',
    label: (partnerId) => `${partnerId} (webhook)`,
    list: (db) => db.select({ partnerId: notificationSettings.partnerId, sealed: notificationSettings.webhookSecretCiphertext }).from(notificationSettings).where(isNotNull(notificationSettings.webhookSecretCiphertext)),
    async replace(db, partnerId, from, to) {
      const rows = await db.update(notificationSettings).set({ webhookSecretCiphertext: to })
        .where(and(eq(notificationSettings.partnerId, partnerId), eq(notificationSettings.webhookSecretCiphertext, from)))
        .returning({ partnerId: notificationSettings.partnerId });
      return rows.length > 0;
    },
  },
];

export async function rotateSecrets(db: Db, box: SecretBox): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, current: 0, changedMeanwhile: 0, unreadable: [] };
  for (const column of columns) {
    for (const row of await column.list(db)) {
      const sealed = row.sealed!;
      if (!box.needsRotation(sealed)) {
        report.current++;
        continue;
      }
      let plaintext: string;
      try {
        plaintext = box.open(sealed, row.partnerId, column.purpose);
      } catch {
        report.unreadable.push(column.label(row.partnerId));
        continue;
      }
      if (await column.replace(db, row.partnerId, sealed, box.seal(plaintext, row.partnerId, column.purpose))) report.rotated++;
      else report.changedMeanwhile++;
    }
  }
  return report;
}
