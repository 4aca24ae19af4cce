/**
 * The lease table behind the thread limit shared by every worker process (schema `autotaskSlots`,
 * docs/design.md rule 10). Each statement is one round trip and takes no lock beyond the row it
 * changes: taking a slot skips rows another process is taking at the same moment (SKIP LOCKED)
 * instead of waiting for it, and every time comparison uses the database's clock, so processes
 * on machines whose clocks differ still agree when a lease has run out.
 */
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { autotaskSlots } from '../schema.ts';

const leaseEnd = (ms: number) => sql`now() + ${ms} * interval '1 millisecond'`;

/** Creates the scope's `limit` slot rows once; present ones are left as they are. */
export async function seedSlots(db: Db, scope: string, limit: number): Promise<void> {
  await db
    .insert(autotaskSlots)
    .values(Array.from({ length: limit }, (_, slot) => ({ scope, slot })))
    .onConflictDoNothing();
}

/** Takes a free or expired slot of the scope for `holder` for `leaseMs`; undefined when all are held. */
export async function takeSlot(db: Db, scope: string, limit: number, holder: string, leaseMs: number): Promise<number | undefined> {
  const free = db
    .select({ slot: autotaskSlots.slot })
    .from(autotaskSlots)
    .where(and(eq(autotaskSlots.scope, scope), lt(autotaskSlots.slot, limit), or(isNull(autotaskSlots.expiresAt), lt(autotaskSlots.expiresAt, sql`now()`))))
    .orderBy(asc(autotaskSlots.slot))
    .limit(1)
    .for('update', { skipLocked: true });
  const [row] = await db
    .update(autotaskSlots)
    .set({ holder, expiresAt: leaseEnd(leaseMs) })
    .where(and(eq(autotaskSlots.scope, scope), eq(autotaskSlots.slot, sql`(${free})`)))
    .returning({ slot: autotaskSlots.slot });
  return row?.slot;
}

/** Extends the holder's lease; false when it ran out and someone else took the slot. */
export async function renewSlot(db: Db, scope: string, slot: number, holder: string, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(autotaskSlots)
    .set({ expiresAt: leaseEnd(leaseMs) })
    .where(and(eq(autotaskSlots.scope, scope), eq(autotaskSlots.slot, slot), eq(autotaskSlots.holder, holder)))
    .returning({ slot: autotaskSlots.slot });
  return rows.length > 0;
}

/** Frees the slot if the holder still has it. */
export async function releaseSlot(db: Db, scope: string, slot: number, holder: string): Promise<void> {
  await db
    .update(autotaskSlots)
    .set({ holder: null, expiresAt: null })
    .where(and(eq(autotaskSlots.scope, scope), eq(autotaskSlots.slot, slot), eq(autotaskSlots.holder, holder)));
}
