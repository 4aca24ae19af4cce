/** The admin's view across partners: each partner with its last real run, failing partners first. */
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { partners, syncRuns } from '../schema.ts';
import type { RunStatus } from '../../sync/vocabulary.ts';
import type { Partner } from './partners.ts';

export interface LastRun {
  id: string;
  status: RunStatus;
  trigger: string;
  startedAt: Date;
  finishedAt: Date | null;
  total: number;
  failed: number;
}

export interface PartnerOverviewRow extends Partner {
  lastRun: LastRun | null;
}

/** Statuses of a last run that need someone's attention, worst first. */
const failingOrder: readonly string[] = ['error', 'failed', 'warning', 'held'];

/**
 * One query: partners with a lateral join on their newest finished, real run (a dry run changes
 * nothing; a run still going has no outcome yet), which the (partner, started) index serves.
 * Ordered failing first (error, failed, warning, held), then by name.
 */
export async function listPartnerOverview(db: Db): Promise<PartnerOverviewRow[]> {
  const last = db
    .select({ id: syncRuns.id, status: syncRuns.status, trigger: syncRuns.trigger, startedAt: syncRuns.startedAt, finishedAt: syncRuns.finishedAt, total: syncRuns.total, failed: syncRuns.failed })
    .from(syncRuns)
    .where(and(eq(syncRuns.partnerId, partners.id), eq(syncRuns.dryRun, false), ne(syncRuns.status, 'running')))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1)
    .as('last_run');
  const rows = await db
    .select({ partner: partners, id: last.id, status: last.status, trigger: last.trigger, startedAt: last.startedAt, finishedAt: last.finishedAt, total: last.total, failed: last.failed })
    .from(partners)
    .leftJoinLateral(last, sql`true`);
  const out = rows.map(({ partner, id, ...run }): PartnerOverviewRow => ({
    ...partner,
    lastRun: id ? { id, status: run.status!, trigger: run.trigger!, startedAt: run.startedAt!, finishedAt: run.finishedAt, total: run.total!, failed: run.failed! } : null,
  }));
  const rank = (p: PartnerOverviewRow) => {
    const i = p.lastRun ? failingOrder.indexOf(p.lastRun.status) : -1;
    return i === -1 ? failingOrder.length : i;
  };
  return out.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
