/**
 * Autotask REST client on undici for one API user. Zone discovered and cached; the three auth
 * headers on every call; at most 3 requests in flight per tracking identifier and endpoint
 * (across processes when given shared slots);
 * every answer parsed with zod and every failure classified. No retries of its own: Temporal's
 * activity retries are the one retry layer (a zone move is followed once, immediately).
 */
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { IntegrationError, excerpt, isNetworkError } from '../errors.ts';
import { classifyAnswer, readErrors } from './classify.ts';
import { apiHostRules, assertSameOrigin, type HostRule } from './allowed-hosts.ts';
import { limited, type SharedSlots } from './limiter.ts';
import { PAGE_LIMIT, chunk, query, q, autotaskDate, type Condition, type QueryBody } from './query.ts';
import {
  companySchema, contractSchema, contractServiceUnitSchema, createdSchema, itemSchema, pageSchema, serviceSchema, thresholdSchema,
  type AtCompany, type AtContract, type AtContractServiceUnit, type AtService, type AtThreshold,
} from './schemas.ts';
import { assertSendableCredentials } from './sendable-credentials.ts';
import { discoverZone, forgetZone, type Zone } from './zone.ts';
import { INT32_MAX, INT32_MIN, isInt32 } from './limits.ts';
import { publishAutotaskRequest } from '../telemetry.ts';

export interface AutotaskCredentials {
  username: string;
  secret: string;
  trackingIdentifier: string;
}

export interface AutotaskClientOptions extends AutotaskCredentials {
  zoneLookupUrl: string;
  /** `AUTOTASK_API_HOSTS`; unset = `*.autotask.net`, or only the lookup URL's origin for a non-Autotask lookup. */
  apiHosts?: string | undefined;
  timeoutMs?: number;
  /** Makes the thread limit hold across processes (deps/autotask-slots.ts); unset, it holds in this process. */
  sharedSlots?: SharedSlots | undefined;
}

interface CallOptions<S extends z.ZodType> {
  method: 'GET' | 'POST';
  /** A path under the zone's API base, or a full URL (the next page of a query). */
  path: string;
  body?: unknown;
  /** The answer's shape; anything else is a `malformed` failure. */
  schema: S;
  /** What the call does, for messages: "querying Contracts". */
  doing: string;
  /** A write: a failure after sending is ambiguous (it may have been applied). */
  write?: boolean;
  signal?: AbortSignal | undefined;
}

/** How long an answer may take to start and to arrive; undici's own default is 300 s. */
const DEFAULT_TIMEOUT_MS = 30_000;
const sharedAgent = new Agent({ connections: 32, keepAliveTimeout: 30_000, headersTimeout: DEFAULT_TIMEOUT_MS, bodyTimeout: DEFAULT_TIMEOUT_MS });

export class AutotaskClient {
  /** Requests sent (zone lookups excluded), for benchmarks and tests. */
  requests = 0;
  private readonly agent: Agent;
  private readonly hostRules: HostRule[];
  constructor(private readonly options: AutotaskClientOptions) {
    this.hostRules = apiHostRules(options.zoneLookupUrl, options.apiHosts);
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.agent = timeout === DEFAULT_TIMEOUT_MS ? sharedAgent : new Agent({ connections: 32, headersTimeout: timeout, bodyTimeout: timeout });
  }

  /** Every call starts here, so credentials that cannot travel as headers are refused before anything is sent. */
  async zone(signal?: AbortSignal): Promise<Zone> {
    assertSendableCredentials(this.options);
    return discoverZone(this.options.zoneLookupUrl, this.options.username, this.agent, this.hostRules, signal);
  }

  // --- generic calls -------------------------------------------------------------------------

  /** Every record matching a query, following nextPageUrl until it is null. */
  async queryAll<S extends z.ZodType>(entity: string, body: QueryBody, schema: S, signal?: AbortSignal): Promise<Array<z.infer<S>>> {
    const out: Array<z.infer<S>> = [];
    let next: string | null = null;
    let first = true;
    while (first || next) {
      const page: z.infer<typeof pageSchema> = first
        ? await this.call({ method: 'POST', path: `/${entity}/query`, body, schema: pageSchema, doing: `querying ${entity}`, signal })
        : await this.call({ method: 'GET', path: next!, schema: pageSchema, doing: `querying ${entity} (next page)`, signal });
      first = false;
      for (const item of page.items) out.push(this.parse(schema, item, `a ${entity} record`));
      next = page.pageDetails?.nextPageUrl ?? null;
      if (next) assertSameOrigin(next, (await this.zone(signal)).apiBase);
    }
    return out;
  }

  async getById<S extends z.ZodType>(entity: string, id: number, schema: S, signal?: AbortSignal): Promise<z.infer<S> | null> {
    try {
      const res = await this.call({ method: 'GET', path: `/${entity}/${id}`, schema: itemSchema, doing: `reading ${entity} ${id}`, signal });
      return res.item === null ? null : this.parse(schema, res.item, `${entity} ${id}`);
    } catch (err) {
      if (err instanceof IntegrationError && err.kind === 'not_found') return null;
      throw err;
    }
  }

  /** Creates a child record through its parent's URL, e.g. Contracts/{id}/Services. */
  async threshold(signal?: AbortSignal): Promise<AtThreshold> {
    return this.call({ method: 'GET', path: '/ThresholdInformation', schema: thresholdSchema, doing: 'reading the API usage', signal });
  }

  // --- the operations the sync and the screens need -----------------------------------------

  async activeServices(signal?: AbortSignal): Promise<AtService[]> {
    return this.queryAll('Services', query([q.eq('isActive', true)], { includeFields: ['id', 'name', 'description', 'isActive', 'unitPrice', 'periodType'] }), serviceSchema, signal);
  }

  async servicesByIds(ids: number[], signal?: AbortSignal): Promise<AtService[]> {
    const pages = await Promise.all(chunk([...new Set(ids)]).map((part) => this.queryAll('Services', query([q.in('id', part)]), serviceSchema, signal)));
    return pages.flat();
  }

  /**
   * Active companies whose name contains the term (or all active ones, first 500, without a term),
   * optionally only those of some companyTypes (Customer = 1, Prospect = 3, …).
   */
  async searchCompanies(term: string, signal?: AbortSignal, types?: readonly number[]): Promise<AtCompany[]> {
    const filter = [q.eq('isActive', true), ...(term.trim() ? [q.contains('companyName', term.trim())] : []), ...(types?.length ? [q.in('companyType', [...types])] : [])];
    const body = query(filter, { includeFields: companyFields, maxRecords: PAGE_LIMIT });
    const page = await this.call({ method: 'POST', path: '/Companies/query', body, schema: pageSchema, doing: 'searching companies', signal });
    return page.items.map((i) => this.parse(companySchema, i, 'a company'));
  }

  /** Every active company of the given companyTypes, all pages: what match suggestions compare against. */
  async activeCompanies(types: readonly number[], signal?: AbortSignal): Promise<AtCompany[]> {
    return this.queryAll('Companies', query([q.eq('isActive', true), q.in('companyType', [...types])], { includeFields: companyFields }), companySchema, signal);
  }

  async companiesByIds(ids: number[], signal?: AbortSignal): Promise<AtCompany[]> {
    const pages = await Promise.all(chunk([...new Set(ids)]).map((part) => this.queryAll('Companies', query([q.in('id', part)], { includeFields: companyFields }), companySchema, signal)));
    return pages.flat();
  }

  /** The contracts of many companies at once (500 companies a query): a suggestion's proposed contract. */
  async contractsOfCompanies(companyIds: number[], signal?: AbortSignal): Promise<AtContract[]> {
    const pages = await Promise.all(chunk([...new Set(companyIds)]).map((part) => this.queryAll('Contracts', query([q.in('companyID', part)], { includeFields: contractFields }), contractSchema, signal)));
    return pages.flat();
  }

  async company(id: number, signal?: AbortSignal): Promise<AtCompany | null> {
    return this.getById('Companies', id, companySchema, signal);
  }

  async companyContracts(companyId: number, signal?: AbortSignal): Promise<AtContract[]> {
    return this.queryAll('Contracts', query([q.eq('companyID', companyId)], { includeFields: contractFields }), contractSchema, signal);
  }

  async contractsByIds(ids: number[], signal?: AbortSignal): Promise<AtContract[]> {
    const pages = await Promise.all(chunk([...new Set(ids)]).map((part) => this.queryAll('Contracts', query([q.in('id', part)], { includeFields: contractFields }), contractSchema, signal)));
    return pages.flat();
  }

  /**
   * Every contract of the tenant Autotask stamped `lastModifiedDateTime` after `since`: what may
   * have changed since a cached read (one page per 500 changed contracts, whatever the tenant's size).
   */
  async contractsModifiedSince(since: Date, signal?: AbortSignal): Promise<AtContract[]> {
    return this.queryAll('Contracts', query([q.gt('lastModifiedDateTime', since.toISOString())], { includeFields: contractFields }), contractSchema, signal);
  }

  /**
   * Units in force on `date` for every service of the given contracts, batched with `in` filters
   * (500 contracts a query, 500 records a page). Key: `${contractId}:${serviceId}`.
   */
  async unitsAt(contractIds: number[], date: string, signal?: AbortSignal): Promise<Map<string, AtContractServiceUnit>> {
    const d = autotaskDate(date);
    const pages = await Promise.all(
      chunk([...new Set(contractIds)]).map((part) =>
        this.queryAll('ContractServiceUnits', query([q.in('contractID', part), q.lte('startDate', d), q.gte('endDate', d)], { includeFields: unitFields }), contractServiceUnitSchema, signal)
      )
    );
    return latestPerService(pages.flat(), date);
  }

  /**
   * Units in force on `date` for chosen (contract, service) pairs, batched like `unitsAt` but
   * narrowed to the pairs' services, so a contract's other services do not fill the pages. Every
   * pair asked for is in the answer: 0 units (no price) when the contract has no such service.
   */
  async unitsOfPairs(pairs: Array<{ contractId: number; serviceId: number }>, date: string, signal?: AbortSignal): Promise<Map<string, { units: number; unitPrice: number | null }>> {
    const d = autotaskDate(date);
    const services = [...new Set(pairs.map((p) => p.serviceId))];
    const pages = await Promise.all(
      chunk([...new Set(pairs.map((p) => p.contractId))]).map((part) =>
        this.queryAll('ContractServiceUnits', query([q.in('contractID', part), ...chunkedIn('serviceID', services), q.lte('startDate', d), q.gte('endDate', d)], { includeFields: unitFields }), contractServiceUnitSchema, signal)
      )
    );
    const found = latestPerService(pages.flat(), date);
    return new Map(pairs.map((p) => {
      const key = `${p.contractId}:${p.serviceId}`;
      const row = found.get(key);
      return [key, { units: row?.units ?? 0, unitPrice: row?.unitPrice ?? null }] as const;
    }));
  }

  /** Units of one contract service on `date` (0 when the contract has no such service yet). */
  async unitsOf(contractId: number, serviceId: number, date: string, signal?: AbortSignal): Promise<number> {
    return (await this.serviceUnits(contractId, serviceId, date, signal)).units;
  }

  /** Units of one contract service on `date` with its unit price (null when no row carries units). */
  async serviceUnits(contractId: number, serviceId: number, date: string, signal?: AbortSignal): Promise<{ units: number; unitPrice: number | null }> {
    const d = autotaskDate(date);
    const rows = await this.queryAll('ContractServiceUnits', query([q.eq('contractID', contractId), q.eq('serviceID', serviceId), q.lte('startDate', d), q.gte('endDate', d)], { includeFields: unitFields }), contractServiceUnitSchema, signal);
    const row = latestPerService(rows, date).get(`${contractId}:${serviceId}`);
    return { units: row?.units ?? 0, unitPrice: row?.unitPrice ?? null };
  }

  /**
   * Posts a ContractServiceAdjustment (a signed delta). Autotask creates the contract service if
   * missing. Returns the adjustment's id, or null when Autotask answered 2xx without a readable
   * `itemId`: the write probably landed, so the caller re-reads the units and never re-posts.
   */
  async createAdjustment(input: { contractId: number; serviceId: number; effectiveDate: string; unitChange: number }, signal?: AbortSignal): Promise<number | null> {
    if (!isInt32(input.unitChange)) {
      throw new IntegrationError('autotask', 'validation', `cannot adjust contract ${input.contractId} service ${input.serviceId} by ${input.unitChange} units: Autotask takes a whole number from ${INT32_MIN} to ${INT32_MAX}; nothing was sent — check the count this change came from`);
    }
    const body = { contractID: input.contractId, serviceID: input.serviceId, effectiveDate: autotaskDate(input.effectiveDate), unitChange: input.unitChange };
    try {
      return (await this.call({ method: 'POST', path: '/ContractServiceAdjustments', body, schema: createdSchema, doing: `adjusting contract ${input.contractId} service ${input.serviceId} by ${input.unitChange}`, write: true, signal })).itemId;
    } catch (err) {
      if (answeredWithoutId(err)) return null;
      throw err;
    }
  }

  // --- transport -----------------------------------------------------------------------------

  private parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new IntegrationError('autotask', 'malformed', `Autotask sent ${what} without the expected fields (${issue?.path.join('.') || 'record'}: ${issue?.message})`, { excerpt: excerpt(JSON.stringify(value)) });
  }

  /** One call, reported by endpoint and outcome (integrations/telemetry.ts) for the metrics. */
  private async call<S extends z.ZodType>(options: CallOptions<S>): Promise<z.infer<S>> {
    const started = performance.now();
    const endpoint = /^https?:\/\//.test(options.path) ? (/\/v1\.0\/([^/?]+)/i.exec(options.path)?.[1] ?? 'unknown') : (options.path.split('/')[1] ?? 'unknown');
    let outcome = 'ok';
    try {
      return await this.send(options);
    } catch (err) {
      outcome = err instanceof IntegrationError ? err.kind : 'error';
      throw err;
    } finally {
      publishAutotaskRequest({ endpoint, method: options.method, outcome, seconds: (performance.now() - started) / 1000 });
    }
  }

  private async send<S extends z.ZodType>(options: CallOptions<S>, retriedZone = false): Promise<z.infer<S>> {
    const { method, path: pathOrUrl, body, schema, doing, write = false, signal } = options;
    const zone = await this.zone(signal);
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${zone.apiBase}${pathOrUrl}`;
    const endpoint = /\/v1\.0\/([^/?]+)/i.exec(url)?.[1] ?? 'unknown';
    const { username, secret, trackingIdentifier } = this.options;
    let res;
    let text: string;
    try {
      ({ res, text } = await limited(`${zone.ci ?? zone.url}|${trackingIdentifier}`, endpoint, async () => {
        this.requests++;
        const r = await request(url, {
          method,
          dispatcher: this.agent,
          headers: { ApiIntegrationCode: trackingIdentifier, UserName: username, Secret: secret, 'content-type': 'application/json', accept: 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : method === 'POST' ? { body: '' } : {}),
          ...(signal ? { signal } : {}),
        });
        return { res: r, text: await r.body.text() };
      }, this.options.sharedSlots, signal));
    } catch (err) {
      if (signal?.aborted) throw err;
      // The limiter's own failure (no shared slot): nothing was sent; it says so itself.
      if (err instanceof IntegrationError) throw err;
      const code = (err as { code?: string }).code ?? '';
      // A refused connection may mean the zone moved; nothing was sent, so one retry is safe.
      if (!retriedZone && /ECONNREFUSED|ENOTFOUND/.test(code) && !/^https?:\/\//.test(pathOrUrl)) {
        forgetZone(this.options.zoneLookupUrl, username);
        const fresh = await this.zone(signal);
        if (fresh.apiBase !== zone.apiBase) return this.send(options, true);
      }
      const sent = !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT/.test(code);
      throw new IntegrationError('autotask', 'unavailable', `Autotask did not answer while ${doing} (${isNetworkError(err) ? code : (err as Error).message}); the sync retries automatically`, { ambiguous: write && sent });
    }
    if (res.statusCode === 404 && !readErrors(text) && !retriedZone && !/^https?:\/\//.test(pathOrUrl)) {
      // An HTML 404 from the zone host: the tenant moved zones. Nothing was applied.
      forgetZone(this.options.zoneLookupUrl, username);
      const fresh = await this.zone(signal);
      if (fresh.apiBase !== zone.apiBase) return this.send(options, true);
    }
    if (res.statusCode !== 200) {
      throw classifyAnswer({ status: res.statusCode, text, retryAfter: res.headers['retry-after'], doing, username, write });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A write's unreadable answer is settled by reading the units (answeredWithoutId). A read's
      // is most likely cut off on its way (a dropped connection, a proxy's page): reading again is
      // safe, so it is retried like a reset, not failed for good.
      if (write) throw new IntegrationError('autotask', 'malformed', `Autotask sent a body that is not JSON while ${doing}: ${excerpt(text, 120)}`, { status: 200, excerpt: excerpt(text), ambiguous: true });
      throw new IntegrationError('autotask', 'unavailable', `Autotask sent an answer that is not JSON (cut off?) while ${doing}: ${excerpt(text, 120)}; the sync retries automatically`, { status: 200, excerpt: excerpt(text) });
    }
    if (readErrors(text) && (json as { errors?: unknown[] }).errors?.length) {
      throw classifyAnswer({ status: 200, text, doing, username, write });
    }
    return this.parse(schema, json, `an answer while ${doing}`);
  }
}

/** An `in` filter on a field, split into an `or` of `in`s when there are more values than one `in` takes. */
function chunkedIn(field: string, values: number[]): Condition[] {
  const parts = chunk(values);
  return parts.length === 1 ? [q.in(field, parts[0]!)] : [q.or(...parts.map((p) => q.in(field, p)))];
}

const companyFields = ['id', 'companyName', 'companyNumber', 'companyType', 'isActive'];
const contractFields = ['id', 'companyID', 'contractName', 'contractType', 'status', 'startDate', 'endDate', 'renewedContractID'];
const unitFields = ['id', 'contractID', 'contractServiceID', 'serviceID', 'startDate', 'endDate', 'units', 'price'];

/**
 * A success status whose body was unusable: not JSON, or no numeric `itemId`. `malformed` without
 * a status comes only from parsing a 200's body; with one, it is an unexpected status, so 2xx here.
 */
function answeredWithoutId(err: unknown): boolean {
  if (!(err instanceof IntegrationError) || err.kind !== 'malformed') return false;
  const status = err.extra.status;
  return status === undefined || (status >= 200 && status < 300);
}

/**
 * Where adjustments split a period, several rows touch the date: the later start wins, and among
 * rows starting the same day (two adjustments on one date) the higher id, the later adjustment.
 */
export function latestPerService(rows: AtContractServiceUnit[], date: string): Map<string, AtContractServiceUnit> {
  const out = new Map<string, AtContractServiceUnit>();
  for (const row of rows) {
    if (!row.startDate || !row.endDate || row.startDate > date || row.endDate < date) continue;
    const key = `${row.contractID}:${row.serviceID}`;
    const seen = out.get(key);
    if (!seen || (seen.startDate ?? '') < row.startDate || ((seen.startDate ?? '') === row.startDate && seen.id < row.id)) out.set(key, row);
  }
  return out;
}
