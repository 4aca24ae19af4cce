/**
 * Re-seals every stored Autotask secret under the newest key (and as v2, bound to its partner).
 * Safe while the service runs: each row is rewritten with a compare-and-set on the old
 * ciphertext, so a secret someone saved in the meantime is left as they saved it, and every
 * process that holds both keys reads the row before, during and after.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from './client.ts';
import { autotaskSettings } from './schema.ts';
import type { SecretBox } from './secret-box.ts';

export interface RotationReport {
  /** Rows rewritten under the newest key. */
  rotated: number;
  /** Rows already under the newest key. */
  current: number;
  /** Rows changed by someone else while rotating (already re-saved; left alone). */
  changedMeanwhile: number;
  /** Partners whose secret no configured key opens: they must enter it again. */
  unreadable: string[];
}

export async function rotateSecrets(db: Db, box: SecretBox): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, current: 0, changedMeanwhile: 0, unreadable: [] };
  const rows = await db
    .select({ partnerId: autotaskSettings.partnerId, sealed: autotaskSettings.secretCiphertext })
    .from(autotaskSettings)
    .where(isNotNull(autotaskSettings.secretCiphertext));
  for (const row of rows) {
    const sealed = row.sealed!;
    if (!box.needsRotation(sealed)) {
      report.current++;
      continue;
    }
    let plaintext: string;
    try {
      plaintext = box.open(sealed, row.partnerId);
    } catch {
      report.unreadable.push(row.partnerId);
      continue;
    }
    const updated = await db
      .update(autotaskSettings)
      .set({ secretCiphertext: box.seal(plaintext, row.partnerId) })
      .where(and(eq(autotaskSettings.partnerId, row.partnerId), eq(autotaskSettings.secretCiphertext, sealed)))
      .returning({ partnerId: autotaskSettings.partnerId });
    if (updated.length > 0) report.rotated++;
    else report.changedMeanwhile++;
  }
  return report;
}
