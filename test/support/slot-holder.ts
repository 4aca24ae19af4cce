/**
 * A process that takes every Autotask slot of a scope and keeps them (renewing its leases) until
 * it is killed: the holder a test SIGKILLs. Argument: JSON `{databaseUrl, scope, limit, leaseMs}`.
 */
import { z } from 'zod';
import { createDb } from '../../db/client.ts';
import { sharedSlotsIn } from '../../deps/autotask-slots.ts';

const config = z.object({ databaseUrl: z.string(), scope: z.string(), limit: z.number().int(), leaseMs: z.number().int() }).parse(JSON.parse(process.argv[2] ?? '{}'));
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: 'unused' });
const slots = sharedSlotsIn(db.db, { leaseMs: config.leaseMs });
for (let i = 0; i < config.limit; i++) await slots.acquire(config.scope, config.limit);
process.stdout.write('held\n');
// The renewal timers are unref'd; this keeps the process (and so the leases) alive.
setInterval(() => {}, 60_000);
