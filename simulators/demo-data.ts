/**
 * A believable MSP, generated from a seed so it is the same every time, sized by a parameter so
 * benchmarks can ask for thousands of companies. Both simulators load it; `npm start` also seeds
 * the service's own database with the partner's settings and mappings.
 */
import { RECURRING_SERVICE_CONTRACT } from '../sync/vocabulary.ts';
import type { AtFixture } from './autotask/fixture.ts';
import type { PbFixture, PbMonthFixture } from './passwordboss/fixture.ts';

export interface DemoOptions {
  seed?: number;
  companies?: number;
  months?: number;
  /** The clock: the latest final month is the month before this one (UTC). */
  now?: Date;
  partnerId?: string;
}

export interface DemoMapping {
  pbCompanyId: string;
  autotaskCompanyId: number;
  autotaskCompanyName: string;
  autotaskContractId: number;
  autotaskContractName: string;
}

export interface DemoData {
  partner: { id: string; name: string; timezone: string };
  passwordboss: PbFixture;
  autotask: AtFixture;
  credentials: { username: string; secret: string; trackingIdentifier: string };
  productServices: Record<string, number>;
  mappings: DemoMapping[];
  /** Notable companies, for tests and the walkthrough. */
  notable: { msp: string; switched: string; endedContract: string; otherTypeOnly: string; inactive: string[] };
  latestFinalMonth: string;
}

export const PRODUCTS = [
  { id: 'pb-standard', name: 'Password Boss Standard' },
  { id: 'pb-advanced', name: 'Password Boss Advanced' },
] as const;
export const SERVICES = { 'pb-standard': 301, 'pb-advanced': 302 } as const;

/** The partner `npm start` leaves unconfigured, for walking through the setup. */
export const FRESH_PARTNER = { id: 'contoso', name: 'Contoso IT Services', timezone: 'Europe/London' } as const;

const FIRST = ['Acme', 'Bluebird', 'Cedar', 'Delta', 'Evergreen', 'Foxglove', 'Granite', 'Harbor', 'Ironwood', 'Juniper', 'Keystone', 'Lakeside', 'Maple', 'Northgate', 'Oakridge', 'Pinnacle', 'Quarry', 'Redwood', 'Summit', 'Tidewater', 'Union', 'Valley', 'Westfield', 'Yellowstone', 'Zenith'];
const SECOND = ['Dental', 'Law Group', 'Accounting', 'Veterinary', 'Realty', 'Engineering', 'Family Practice', 'Logistics', 'Architects', 'Insurance', 'Credit Union', 'Pharmacy', 'Construction', 'Consulting', 'Auto Group', 'Schools'];
const SUFFIX = [', LLC', ' Inc.', ' Ltd', ', P.C.', ' Co.', ' LLP', ' (HQ)'];

/** mulberry32: a tiny seeded PRNG, so the data is reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function monthsBefore(now: Date, count: number): string[] {
  const out: string[] = [];
  for (let i = count; i >= 1; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

const lastDay = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const firstOfNext = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
};
const addYears = (isoDate: string, years: number) => `${Number(isoDate.slice(0, 4)) + years}${isoDate.slice(4)}`;

export function generateDemoData(options: DemoOptions = {}): DemoData {
  const random = rng(options.seed ?? 20261127);
  const n = Math.max(12, options.companies ?? 40);
  const months = monthsBefore(options.now ?? new Date(), options.months ?? 12);
  const latest = months[months.length - 1]!;
  const partnerId = options.partnerId ?? 'demo';
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

  const pbCompanies: PbFixture['partners'][number]['companies'] = [];
  const atCompanies: AtFixture['companies'] = [];
  const contracts: AtFixture['contracts'] = [];
  const contractServices: AtFixture['contractServices'] = [];
  const adjustments: NonNullable<AtFixture['adjustments']> = [];
  const mappings: DemoMapping[] = [];
  const counts = new Map<string, PbMonthFixture['counts']>(months.map((m) => [m, []]));
  const contractStart = `${months[0]!.slice(0, 4)}-01-01`;
  const contractEnd = addYears(firstOfNext(latest), 1);

  const notable = { msp: 'c-0001', switched: 'c-0006', endedContract: 'c-0008', otherTypeOnly: 'c-0012', inactive: [] as string[] };
  let nextContractId = 5001;
  let nextContractServiceId = 9001;

  for (let i = 1; i <= n; i++) {
    const id = `c-${String(i).padStart(4, '0')}`;
    const base = i === 1 ? 'Northwind Managed Services' : `${FIRST[(i * 7) % FIRST.length]} ${SECOND[(i * 5) % SECOND.length]}${i > FIRST.length ? ` ${Math.ceil(i / FIRST.length)}` : ''}`;
    const inactive = i > 2 && i % 13 === 0;
    if (inactive) notable.inactive.push(id);
    pbCompanies.push({ id, name: base, type: i === 1 ? 'msp' : 'customer', domain: `${base.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`, active: !inactive });

    const atId = 1000 + i;
    // Autotask names almost, but not exactly, match: a legal suffix and different casing.
    const atName = i === 1 ? 'Northwind Managed Services (Internal)' : `${base}${pick(SUFFIX)}`.replace(/ Group/, ' group');
    atCompanies.push({ id: atId, companyName: atName, companyNumber: `C${atId}`, companyType: i === 1 ? 8 : 1, isActive: !inactive });

    // Counts: a product, a base size, growth or churn month to month.
    let product: keyof typeof SERVICES = random() < 0.7 ? 'pb-standard' : 'pb-advanced';
    if (id === notable.switched) product = 'pb-standard';
    let users = int(3, 120);
    const trend = random() < 0.2 ? -1 : 1;
    const history: Array<{ month: string; product: string; users: number }> = [];
    for (const [mi, month] of months.entries()) {
      if (mi > 0) users = Math.max(0, users + trend * int(0, 3) - (random() < 0.1 ? int(0, 2) : 0));
      if (inactive && mi >= months.length - 3) users = 0;
      const p = id === notable.switched && month === latest ? 'pb-advanced' : product;
      if (i === 1) users = 6;
      history.push({ month, product: p, users });
      if (users > 0 || !inactive) counts.get(month)!.push({ companyId: id, productId: p, users, licenses: users + (users > 0 ? int(0, 5) : 0) });
    }
    if (i === 1) continue; // the MSP's own company is not billed

    // Contracts: a current Recurring Service contract for almost everyone.
    const previous = history[history.length - 2]!;
    const addContract = (c: Omit<AtFixture['contracts'][number], 'id'>) => {
      const contract = { id: nextContractId++, ...c };
      contracts.push(contract);
      return contract;
    };
    if (id === notable.otherTypeOnly) {
      const c = addContract({ companyID: atId, contractName: `${atName} - Block Hours`, contractType: 4, status: 1, startDate: contractStart, endDate: contractEnd });
      mappings.push({ pbCompanyId: id, autotaskCompanyId: atId, autotaskCompanyName: atName, autotaskContractId: c.id, autotaskContractName: c.contractName });
      continue;
    }
    let billed = addContract({ companyID: atId, contractName: `${atName} - Managed Services`, contractType: RECURRING_SERVICE_CONTRACT, status: 1, startDate: contractStart, endDate: id === notable.endedContract ? lastDay(months[months.length - 2]!) : contractEnd });
    let mapped = billed;
    if (id === notable.endedContract) {
      const renewed = addContract({ companyID: atId, contractName: `${atName} - Managed Services 2`, contractType: RECURRING_SERVICE_CONTRACT, status: 1, startDate: firstOfNext(months[months.length - 2]!), endDate: contractEnd });
      billed.renewedContractID = renewed.id;
      mapped = billed; // still mapped to the ended one: the sync must say "pick the renewed contract"
      billed = renewed;
    }
    mappings.push({ pbCompanyId: id, autotaskCompanyId: atId, autotaskCompanyName: atName, autotaskContractId: mapped.id, autotaskContractName: mapped.contractName });
    if (i % 9 === 0) addContract({ companyID: atId, contractName: `${atName} - Time & Materials`, contractType: 1, status: 1, startDate: contractStart, endDate: contractEnd });

    // Units as they stand: the previous month's count, in force since the first of that month.
    const serviceId = SERVICES[previous.product as keyof typeof SERVICES];
    contractServices.push({ id: nextContractServiceId++, contractID: mapped.id, serviceID: serviceId, unitPrice: serviceId === 301 ? 3 : 5 });
    if (previous.users > 0 && mapped.contractType === RECURRING_SERVICE_CONTRACT) adjustments.push({ contractID: mapped.id, serviceID: serviceId, effectiveDate: `${months[months.length - 2]}-01`, unitChange: previous.users });
  }

  // Prospects that exist only in Autotask, to make the company search realistic.
  for (let j = 1; j <= Math.max(3, Math.floor(n / 9)); j++) {
    atCompanies.push({ id: 500_000 + j, companyName: `${FIRST[(j * 3) % FIRST.length]} Prospect ${j}`, companyNumber: null, companyType: 3, isActive: true });
  }

  const credentials = { username: 'sync-api@northwind.example', secret: 'demo-secret-Northwind-2026', trackingIdentifier: 'PBAUTOTASKSYNC0000000000000' };
  return {
    partner: { id: partnerId, name: 'Northwind Managed Services', timezone: 'America/New_York' },
    passwordboss: {
      partners: [{
        id: partnerId,
        name: 'Northwind Managed Services',
        products: [...PRODUCTS],
        companies: pbCompanies,
        months: months.map((month) => ({ month, final: true, calculatedAt: `${lastDay(month)}T23:30:00Z`, counts: counts.get(month)! })),
      }],
    },
    autotask: {
      zoneName: 'America East (simulated)',
      ci: 20264,
      users: [{ userName: credentials.username, secret: credentials.secret }],
      integrationCodes: [credentials.trackingIdentifier],
      companies: atCompanies,
      contracts,
      services: [
        { id: 301, name: 'Password Boss Standard', description: 'Per user, monthly', isActive: true, unitPrice: 3, unitCost: 1.5, periodType: 1 },
        { id: 302, name: 'Password Boss Advanced', description: 'Per user, monthly', isActive: true, unitPrice: 5, unitCost: 2.5, periodType: 1 },
        { id: 303, name: 'Legacy Password Manager', description: 'Retired', isActive: false, unitPrice: 2, unitCost: 1, periodType: 1 },
        { id: 304, name: 'Managed Backup', description: 'Per device', isActive: true, unitPrice: 12, unitCost: 6, periodType: 1 },
      ],
      contractServices,
      adjustments,
      postedThrough: [],
    },
    credentials,
    productServices: { ...SERVICES },
    mappings,
    notable,
    latestFinalMonth: latest,
  };
}
