/**
 * A tiny Autotask tenant on a loopback port, for tests that need to know every unit row: one
 * company, an active and an inactive Recurring Service contract, two services at known prices.
 * The demo data is too large to reason about row by row.
 */
import { AutotaskClient } from '../../integrations/autotask/client.ts';
import { createAutotaskSimulator, type AutotaskSimulator } from '../../simulators/autotask/server.ts';
import type { AtFixture } from '../../simulators/autotask/fixture.ts';

export const ACTIVE_CONTRACT = 5001;
export const INACTIVE_CONTRACT = 5002;
export const STANDARD = 301;
export const ADVANCED = 302;
export const STANDARD_PRICE = 3.25;
export const CONTRACT_SERVICE = 8001;

const credentials = { username: 'api@tenant.example', secret: 'tenant-secret', trackingIdentifier: 'TRACKING' };

export function tenantFixture(): AtFixture {
  return {
    users: [{ userName: credentials.username, secret: credentials.secret }],
    integrationCodes: [credentials.trackingIdentifier],
    companies: [{ id: 100, companyName: 'Acme Dental', companyType: 1, isActive: true }],
    contracts: [
      { id: ACTIVE_CONTRACT, companyID: 100, contractName: 'Acme Recurring', contractType: 7, status: 1, startDate: '2026-01-01', endDate: '2027-12-31' },
      { id: INACTIVE_CONTRACT, companyID: 100, contractName: 'Acme Old Recurring', contractType: 7, status: 0, startDate: '2026-01-01', endDate: '2027-12-31' },
    ],
    services: [
      { id: STANDARD, name: 'Password Boss Standard', isActive: true, unitPrice: 3 },
      { id: ADVANCED, name: 'Password Boss Advanced', isActive: true, unitPrice: 5 },
    ],
    // The contract's own price for Standard differs from the service's list price.
    contractServices: [{ id: CONTRACT_SERVICE, contractID: ACTIVE_CONTRACT, serviceID: STANDARD, unitPrice: STANDARD_PRICE }],
    adjustments: [{ contractID: ACTIVE_CONTRACT, serviceID: STANDARD, effectiveDate: '2026-01-01', unitChange: 10 }],
  };
}

export interface Tenant {
  sim: AutotaskSimulator;
  client: AutotaskClient;
  apiBase: string;
  headers: Record<string, string>;
  /** Fresh records and no faults, so each test starts from the fixture. */
  reset(): void;
  close(): Promise<void>;
}

export async function startTenant(): Promise<Tenant> {
  const sim = createAutotaskSimulator({ fixture: tenantFixture() });
  const url = await sim.app.listen({ host: '127.0.0.1', port: 0 });
  const client = new AutotaskClient({ zoneLookupUrl: `${url}/atservicesrest/v1.0/zoneInformation`, ...credentials });
  const apiBase = (await client.zone()).apiBase;
  return {
    sim,
    client,
    apiBase,
    headers: { ApiIntegrationCode: credentials.trackingIdentifier, UserName: credentials.username, Secret: credentials.secret, 'content-type': 'application/json' },
    reset() {
      sim.state.load(tenantFixture());
      sim.faults.clear();
      sim.faults.log = [];
    },
    close: () => sim.app.close(),
  };
}
