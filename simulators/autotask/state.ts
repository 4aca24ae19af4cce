/** The simulated Autotask tenant: its records, the adjustments written, and derived units. */
import { RECURRING_SERVICE_CONTRACT } from '../../sync/vocabulary.ts';
import { atFixtureSchema, type AtFixture, type AtFixtureParsed } from './fixture.ts';
import { datePart } from './dates.ts';
import { deriveUnits, type UnitRow } from './units.ts';

export class BusinessRuleError extends Error {}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * How an accepted adjustment reaches the units: at once (`now`), after the next `reads` reads of
 * its contract service or after `ms` (`late`), or not at all (`never`) — the last two are faults
 * that let tests meet a write that does not read back as posted.
 */
export type ApplyMode = { kind: 'now' } | { kind: 'late'; reads?: number | undefined; ms?: number | undefined } | { kind: 'never' };

export interface StoredAdjustment {
  id: number;
  contractID: number;
  contractServiceID: number;
  serviceID: number;
  effectiveDate: string;
  unitChange: number;
  at: number;
  /** `yes` once it counts in the units; `later` while a `late` fault holds it; `never` when dropped. */
  applied: 'yes' | 'later' | 'never';
  /** For `later`: reads of its contract service still to see the old units, or the time it applies. */
  readsLeft?: number;
  appliesAt?: number;
}

export interface AutotaskRules {
  /** Refuse adjustments that would leave negative units (an unverified Autotask rule). */
  rejectNegativeUnits: boolean;
  /** Shift effective dates sent with a non-midnight time to the previous day (documented quirk). */
  shiftNonMidnightDates: boolean;
  /**
   * Refuse adjustments on an inactive contract (`status` 0). Unverified: Autotask's KB says an
   * inactive Recurring Service contract still bills, so the refusal is a switch, on by default
   * so the product meets the stricter behaviour.
   */
  rejectInactiveContracts: boolean;
}

export class AutotaskState {
  data!: AtFixtureParsed;
  adjustments: StoredAdjustment[] = [];
  rules: AutotaskRules = { rejectNegativeUnits: true, shiftNonMidnightDates: false, rejectInactiveContracts: true };
  private nextAdjustmentId = 70_000_001;
  private nextContractServiceId = 8_000_001;
  private unitCache = new Map<number, UnitRow[]>();
  /** Adjustments accepted but not yet applied (a `late` fault); few, so scanned on every read. */
  private pending: StoredAdjustment[] = [];
  private csByContract = new Map<number, AtFixtureParsed['contractServices']>();
  private contractsById = new Map<number, AtFixtureParsed['contracts'][number]>();
  private servicesById = new Map<number, AtFixtureParsed['services'][number]>();

  constructor(fixture: AtFixture) {
    this.load(fixture);
  }

  load(fixture: AtFixture): void {
    const before = this.contractsById;
    this.data = atFixtureSchema.parse(fixture);
    stampContracts(this.data.contracts, before);
    this.adjustments = [];
    this.pending = [];
    this.unitCache.clear();
    this.contractsById = new Map(this.data.contracts.map((c) => [c.id, c]));
    this.servicesById = new Map(this.data.services.map((s) => [s.id, s]));
    this.csByContract = new Map();
    for (const cs of this.data.contractServices) this.indexContractService(cs);
    for (const a of this.data.adjustments) {
      const cs = this.findContractService(a.contractID, a.serviceID) ?? this.addContractService(a.contractID, a.serviceID);
      this.adjustments.push({ id: this.nextAdjustmentId++, contractID: a.contractID, contractServiceID: cs.id, serviceID: a.serviceID, effectiveDate: a.effectiveDate, unitChange: a.unitChange, at: 0, applied: 'yes' });
    }
  }

  contract(id: number) {
    return this.contractsById.get(id);
  }

  /** Activates (1) or inactivates (0) a contract, as an admin would in Autotask. */
  setContractStatus(id: number, status: number): void {
    const contract = this.contract(id);
    if (!contract) throw new BusinessRuleError(`Value ${id} does not reference an existing entity for contractID.`);
    contract.status = status;
    contract.lastModifiedDateTime = new Date().toISOString();
  }

  service(id: number) {
    return this.servicesById.get(id);
  }

  contractServicesOf(contractId: number) {
    return this.csByContract.get(contractId) ?? [];
  }

  findContractService(contractId: number, serviceId: number) {
    return this.contractServicesOf(contractId).find((cs) => cs.serviceID === serviceId);
  }

  private indexContractService(cs: AtFixtureParsed['contractServices'][number]) {
    const list = this.csByContract.get(cs.contractID) ?? [];
    list.push(cs);
    this.csByContract.set(cs.contractID, list);
  }

  addContractService(contractId: number, serviceId: number, unitPrice?: number) {
    const contract = this.contract(contractId);
    if (!contract) throw new BusinessRuleError(`Value ${contractId} does not reference an existing entity for contractID.`);
    if (contract.contractType !== RECURRING_SERVICE_CONTRACT) throw new BusinessRuleError('ContractID must reference a Recurring Service type Contract.');
    const service = this.service(serviceId);
    if (!service) throw new BusinessRuleError(`Value ${serviceId} does not reference an existing entity for serviceID.`);
    const cs = { id: this.nextContractServiceId++, contractID: contractId, serviceID: serviceId, unitPrice: unitPrice ?? service.unitPrice };
    this.data.contractServices.push(cs);
    this.indexContractService(cs);
    return cs;
  }

  postedThrough(contractId: number): string | null {
    const dates = this.data.postedThrough.filter((p) => p.contractID === contractId).map((p) => p.through).sort();
    return dates.at(-1) ?? null;
  }

  unitsOf(contractServiceId: number): UnitRow[] {
    this.settle(contractServiceId);
    const cached = this.unitCache.get(contractServiceId);
    if (cached) return cached;
    const cs = this.data.contractServices.find((c) => c.id === contractServiceId);
    if (!cs) return [];
    const contract = this.contract(cs.contractID)!;
    const service = this.service(cs.serviceID);
    const rows = deriveUnits({
      contract,
      contractService: { id: cs.id, serviceID: cs.serviceID, unitPrice: cs.unitPrice ?? service?.unitPrice ?? 0, unitCost: service?.unitCost ?? 0 },
      adjustments: this.adjustments.filter((a) => a.contractServiceID === cs.id && a.applied === 'yes'),
      postedThrough: this.postedThrough(contract.id),
    });
    this.unitCache.set(contractServiceId, rows);
    return rows;
  }

  /**
   * Units rows as an API read serves them, narrowed to some contracts or contract services when
   * the query names them. The read counts towards `late` adjustments of the services it covers.
   */
  unitRows(narrow: { contractIds?: Set<number>; contractServiceIds?: Set<number> }): UnitRow[] {
    let services = this.data.contractServices;
    if (narrow.contractIds) services = [...narrow.contractIds].flatMap((id) => this.contractServicesOf(id));
    if (narrow.contractServiceIds) services = services.filter((cs) => narrow.contractServiceIds!.has(cs.id));
    const rows = services.flatMap((cs) => this.unitsOf(cs.id));
    if (this.pending.length) {
      const read = new Set(services.map((cs) => cs.id));
      for (const a of this.pending) if (read.has(a.contractServiceID) && a.readsLeft !== undefined) a.readsLeft -= 1;
    }
    return rows;
  }

  /** Applies the `late` adjustments of a contract service whose reads or time have run out. */
  private settle(contractServiceId: number): void {
    if (!this.pending.length) return;
    const now = Date.now();
    const due = this.pending.filter((a) => a.contractServiceID === contractServiceId && ((a.readsLeft !== undefined && a.readsLeft <= 0) || (a.appliesAt !== undefined && a.appliesAt <= now)));
    if (!due.length) return;
    for (const a of due) a.applied = 'yes';
    this.pending = this.pending.filter((a) => a.applied === 'later');
    this.unitCache.delete(contractServiceId);
  }

  unitsAt(contractServiceId: number, date: string): number {
    const rows = this.unitsOf(contractServiceId).filter((r) => r.startDate <= date && r.endDate >= date);
    return rows.sort((a, b) => b.startDate.localeCompare(a.startDate) || b.id - a.id)[0]?.units ?? 0;
  }

  /** Creates an adjustment with Autotask's rules; each broken rule is a BusinessRuleError (HTTP 500). */
  createAdjustment(body: Record<string, unknown>, contractIdFromUrl?: number, mode: ApplyMode = { kind: 'now' }): StoredAdjustment {
    const num = (key: string) => {
      const entry = Object.entries(body).find(([k]) => k.toLowerCase() === key.toLowerCase());
      return entry?.[1];
    };
    const rawDate = num('effectiveDate');
    if (typeof rawDate !== 'string') throw new BusinessRuleError('effectiveDate is required.');
    const effectiveDate = datePart(rawDate, this.rules.shiftNonMidnightDates);
    if (!effectiveDate) throw new BusinessRuleError(`Value ${rawDate} is not a valid date for effectiveDate.`);
    const unitChange = num('unitChange');
    if (typeof unitChange !== 'number' || !Number.isInteger(unitChange)) throw new BusinessRuleError('unitChange is required and must be a whole number.');
    if (unitChange < INT32_MIN || unitChange > INT32_MAX) throw new BusinessRuleError(`Value ${unitChange} is outside the range of unitChange (Int32: ${INT32_MIN} to ${INT32_MAX}).`);
    const contractServiceId = num('contractServiceID');
    let contractId = (contractIdFromUrl ?? num('contractID')) as number | undefined;
    let serviceId = num('serviceID') as number | undefined;
    let cs = typeof contractServiceId === 'number' ? this.data.contractServices.find((c) => c.id === contractServiceId) : undefined;
    if (typeof contractServiceId === 'number' && !cs) throw new BusinessRuleError(`Value ${contractServiceId} does not reference an existing entity for contractServiceID.`);
    if (cs) {
      contractId ??= cs.contractID;
      serviceId ??= cs.serviceID;
      if (cs.contractID !== contractId || cs.serviceID !== serviceId) throw new BusinessRuleError('contractServiceID does not belong to the given contractID and serviceID.');
    }
    if (typeof contractId !== 'number') throw new BusinessRuleError('contractID is required.');
    const contract = this.contract(contractId);
    if (!contract) throw new BusinessRuleError(`Value ${contractId} does not reference an existing entity for contractID.`);
    if (contract.contractType !== RECURRING_SERVICE_CONTRACT) throw new BusinessRuleError('Contract service adjustments can only be made to Recurring Service contracts.');
    if (this.rules.rejectInactiveContracts && contract.status === 0) throw new BusinessRuleError('Contract service adjustments cannot be made to an inactive contract.');
    if (effectiveDate < contract.startDate || effectiveDate > contract.endDate) {
      throw new BusinessRuleError(`The effective date ${effectiveDate} must be within the contract period (${contract.startDate} to ${contract.endDate}).`);
    }
    const posted = this.postedThrough(contract.id);
    if (posted && effectiveDate <= posted) {
      throw new BusinessRuleError('Unable to make changes as it would result in the deletion/modification of an already approved and posted contract period.');
    }
    if (typeof serviceId !== 'number') throw new BusinessRuleError('serviceID is required.');
    cs ??= this.findContractService(contractId, serviceId) ?? this.addContractService(contractId, serviceId);
    const resulting = this.unitsAt(cs.id, effectiveDate) + unitChange;
    if (this.rules.rejectNegativeUnits && resulting < 0) {
      throw new BusinessRuleError('The adjustment would result in a negative number of units.');
    }
    if (resulting > INT32_MAX) throw new BusinessRuleError(`The adjustment would result in ${resulting} units, more than the units field holds (${INT32_MAX}).`);
    const adjustment: StoredAdjustment = { id: this.nextAdjustmentId++, contractID: contractId, contractServiceID: cs.id, serviceID: serviceId, effectiveDate, unitChange, at: Date.now(), applied: 'yes' };
    if (mode.kind === 'never') adjustment.applied = 'never';
    if (mode.kind === 'late') {
      adjustment.applied = 'later';
      if (mode.reads !== undefined) adjustment.readsLeft = mode.reads;
      if (mode.ms !== undefined) adjustment.appliesAt = Date.now() + mode.ms;
      this.pending.push(adjustment);
    }
    this.adjustments.push(adjustment);
    this.unitCache.delete(cs.id);
    return adjustment;
  }
}

/**
 * Gives every contract the `lastModifiedDateTime` Autotask would: as given, else its start date
 * (now at the latest), or now for one a reload changed (so a run's modified-since read sees the change).
 */
function stampContracts(contracts: AtFixtureParsed['contracts'], before: ReadonlyMap<number, AtFixtureParsed['contracts'][number]> | undefined): void {
  const now = new Date().toISOString();
  const content = ({ lastModifiedDateTime: _, ...rest }: AtFixtureParsed['contracts'][number]) => JSON.stringify(rest);
  for (const c of contracts) {
    if (c.lastModifiedDateTime) continue;
    const old = before?.get(c.id);
    c.lastModifiedDateTime = old && content(old) === content(c) ? old.lastModifiedDateTime! : old ? now : [`${c.startDate}T00:00:00.000Z`, now].sort()[0]!;
  }
}
