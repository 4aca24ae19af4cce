/**
 * `npm run bench -- autotask`: what reading and setting units costs against the simulator with
 * 50 ms latency and the 3-thread limit. Targets (issue 3): 1,000 contract services read in at
 * most 5 requests; after a batched read an unchanged value costs 0 requests, a changed one ≤ 2.
 */
import { AutotaskClient } from '../integrations/autotask/client.ts';
import { ConfirmReads } from '../integrations/autotask/confirm-reads.ts';
import { setUnits } from '../integrations/autotask/set-units.ts';
import { createAutotaskSimulator } from '../simulators/autotask/server.ts';
import { generateDemoData } from '../simulators/demo-data.ts';
import { ms, printTable } from './table.ts';

export async function benchAutotask(): Promise<void> {
  const sizes = [10, 100, 1_000, 5_000];
  const demo = generateDemoData({ companies: Math.ceil(Math.max(...sizes) * 1.15), now: new Date('2026-11-27T12:00:00Z') });
  const sim = createAutotaskSimulator({ fixture: demo.autotask });
  const url = await sim.app.listen({ host: '127.0.0.1', port: 0 });
  sim.faults.latencyMs = 50;
  const client = new AutotaskClient({ zoneLookupUrl: `${url}/atservicesrest/v1.0/zoneInformation`, ...demo.credentials });
  await client.zone();
  const effective = '2026-11-01';
  const contracts = demo.autotask.adjustments!.map((a) => a.contractID);

  const rows: Array<Array<string | number>> = [];
  for (const n of sizes) {
    const ids = contracts.slice(0, n);
    const before = client.requests;
    const started = performance.now();
    const units = await client.unitsAt(ids, effective);
    rows.push([n, units.size, client.requests - before, ms(performance.now() - started)]);
  }
  printTable('Autotask: current units of N contract services (50 ms latency, ≤ 3 in flight per endpoint)', ['N', 'rows', 'requests', 'wall time'], rows);

  const sample = contracts.slice(0, 20);
  const known = await client.unitsAt(sample, effective);
  let unchangedRequests = 0;
  let changedRequests = 0;
  for (const [, row] of known) {
    unchangedRequests += (await setUnits(client, { contractId: row.contractID, serviceId: row.serviceID, effectiveDate: effective, target: row.units, knownCurrent: row.units })).requests;
    changedRequests += (await setUnits(client, { contractId: row.contractID, serviceId: row.serviceID, effectiveDate: effective, target: row.units + 1, knownCurrent: row.units })).requests;
  }
  let coldRequests = 0;
  for (const [, row] of known) coldRequests += (await setUnits(client, { contractId: row.contractID, serviceId: row.serviceID, effectiveDate: effective, target: row.units + 2 })).requests;
  printTable('Autotask: requests per "set units"', ['case', 'requests each'], [
    ['unchanged, after a batched read', (unchangedRequests / known.size).toFixed(2)],
    ['changed, after a batched read', (changedRequests / known.size).toFixed(2)],
    ['changed, nothing known (a retry)', (coldRequests / known.size).toFixed(2)],
  ]);

  // The sync's write path without Temporal: 1,000 changed services arriving at a steady rate
  // (companies reach their writes at about 60 a second in a changed run on a quiet machine), at
  // most 50 at once (the run's window of companies), confirmed through batched reads.
  const batchRows: Array<Array<string | number>> = [];
  const pool = [...(await client.unitsAt(contracts.slice(0, 1_000), effective)).values()];
  for (const [perSecond, batched] of [[60, false], [20, true], [60, true], [120, true]] as const) {
    const reads = batched ? new ConfirmReads() : undefined;
    sim.faults.log = [];
    const started = performance.now();
    let inFlight = 0;
    const done: Array<Promise<unknown>> = [];
    for (const [i, row] of pool.entries()) {
      const due = started + (i * 1000) / perSecond;
      while (performance.now() < due || inFlight >= 50) await new Promise((r) => setTimeout(r, 2));
      inFlight++;
      done.push(setUnits(client, { contractId: row.contractID, serviceId: row.serviceID, effectiveDate: effective, target: row.units + 3, knownCurrent: row.units }, undefined, undefined, reads && (() => reads.announce('bench', client, effective))).finally(() => inFlight--));
      row.units += 3;
    }
    await Promise.all(done);
    const seconds = (performance.now() - started) / 1000;
    const requests = sim.faults.log.filter((r) => !/zoneinformation/i.test(r.path)).length;
    const limit = Math.max(pool.length / perSecond, (pool.length * 0.05) / 3);
    batchRows.push([batched ? 'batched' : 'a read each', perSecond, pool.length, (requests / pool.length).toFixed(3), `${seconds.toFixed(1)} s`, (seconds / limit).toFixed(2)]);
  }
  printTable('Autotask: changed services, confirmed by a read each or in batches (50 ms latency, ≤ 50 writes at once)', ['confirm', 'arrivals/s', 'services', 'requests each', 'wall time', '÷ limit (arrivals or 3 posts in flight)'], batchRows);
  await sim.app.close();
}
