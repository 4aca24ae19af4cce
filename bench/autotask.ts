/**
 * `npm run bench -- autotask`: what reading and setting units costs against the simulator with
 * 50 ms latency and the 3-thread limit. Targets (issue 3): 1,000 contract services read in at
 * most 5 requests; after a batched read an unchanged value costs 0 requests, a changed one ≤ 2.
 */
import { AutotaskClient } from '../integrations/autotask/client.ts';
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
  await sim.app.close();
}
