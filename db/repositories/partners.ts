import { eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { partners } from '../schema.ts';

export type Partner = typeof partners.$inferSelect;

export async function insertPartner(db: Db, values: { id: string; name: string; timezone: string }): Promise<Partner> {
  const [row] = await db.insert(partners).values(values).returning();
  return row!;
}

export async function findPartner(db: Db, id: string): Promise<Partner | undefined> {
  const [row] = await db.select().from(partners).where(eq(partners.id, id)).limit(1);
  return row;
}

export async function listPartners(db: Db): Promise<Partner[]> {
  return db.select().from(partners).orderBy(partners.id);
}

export async function deletePartnerRow(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(partners).where(eq(partners.id, id)).returning({ id: partners.id });
  return rows.length > 0;
}
