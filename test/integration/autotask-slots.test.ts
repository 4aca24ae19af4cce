/**
 * Autotask's thread limit across processes (docs/design.md rule 10): the slot leases in
 * PostgreSQL let no more than 3 requests of a scope be in flight across every process, and a
 * holder killed with SIGKILL frees its slots when their leases run out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';
import { sharedSlotsIn } from '../../deps/autotask-slots.ts';
import { createTestDb } from '../support/databases.ts';

const holderScript = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'support', 'slot-holder.ts');

describe('Autotask slots shared through PostgreSQL', () => {
  let db: DbHandle & { url?: string };
  let other: DbHandle;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    db = await createTestDb('postgres');
    // A second pool on the same database: another process, as far as PostgreSQL can tell.
    other = await createDb({ databaseUrl: db.url!, dataDir: 'unused', maxConnections: 10 });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await other?.close();
    await db?.close();
  });

  it('lets at most 3 holders of a scope in at once, whichever process they are in', async () => {
    const processes = [sharedSlotsIn(db.db), sharedSlotsIn(other.db)];
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    const request = async (slots: (typeof processes)[number]) => {
      const release = await slots.acquire('tenant-1|CODE|contracts', 3);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
      done++;
      await release();
    };
    // 12 callers in each "process", none queued by an in-process semaphore: only the table limits them.
    await Promise.all(processes.flatMap((slots) => Array.from({ length: 12 }, () => request(slots))));
    expect(done).toBe(24);
    expect(peak).toBe(3);
  });

  it('keeps scopes apart', async () => {
    const slots = sharedSlotsIn(db.db);
    const held = await Promise.all(['a', 'a', 'a', 'b', 'b', 'b'].map((s) => slots.acquire(`tenant-2|CODE|${s}`, 3)));
    await expect(slots.acquire('tenant-2|CODE|a', 3, AbortSignal.timeout(300))).rejects.toThrow();
    await Promise.all(held.map((release) => release()));
    await (await slots.acquire('tenant-2|CODE|a', 3))();
  });

  it('frees the slots of a holder killed with SIGKILL once its leases run out', async () => {
    const scope = 'tenant-3|CODE|contractserviceadjustments';
    const leaseMs = 1_500;
    const child = spawn(process.execPath, ['--import', 'tsx', holderScript, JSON.stringify({ databaseUrl: db.url, scope, limit: 3, leaseMs })], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => c.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`slot holder exited early (${code})`)));
    });
    const slots = sharedSlotsIn(other.db, { leaseMs });
    // Alive, it renews: nobody else gets in, even after several lease lengths.
    await expect(slots.acquire(scope, 3, AbortSignal.timeout(2 * leaseMs))).rejects.toThrow();
    child.kill('SIGKILL');
    const killedAt = Date.now();
    const releases = [await slots.acquire(scope, 3), await slots.acquire(scope, 3), await slots.acquire(scope, 3)];
    expect(Date.now() - killedAt).toBeLessThan(leaseMs + 2_000);
    await Promise.all(releases.map((release) => release()));
  });
});
