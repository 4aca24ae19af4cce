/**
 * An Autotask REST API simulator that behaves like the real one where it matters to this service
 * (docs/design.md, section 6): zone information, case-insensitive paths and keys,
 * Autotask's auth failures, query semantics and paging, derived contract service units,
 * adjustment rules answered as 500 `errors[]`, the hourly threshold, the 3-thread limit, faults,
 * and a request log.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FaultInjector, applyFault, registerFaultRoutes, resetConnection, sleep, type Fault } from '../common/faults.ts';
import { ENTITIES, type EntityDescriptor } from './entities.ts';
import type { AtFixture } from './fixture.ts';
import { QueryError, matchAll, project, readQueryModel, type Filter } from './query-engine.ts';
import { AutotaskState, BusinessRuleError, type ApplyMode } from './state.ts';

export interface AutotaskSimulatorOptions {
  fixture: AtFixture;
  threadLimit?: number;
  /** Status for thread-limit rejections (Autotask sometimes answers them with a non-429). */
  threadLimitStatus?: number;
  hourlyThreshold?: number;
  /** The threshold's window: an hour, or shorter for tests (a 60-second "hour"). */
  thresholdWindowMs?: number;
  /** Autotask's usage latency (+0.5 s at 50 %, +1 s at 75 % of the threshold); off by default. */
  thresholdLatency?: boolean;
  /** Answer a missing id with 200 `{item:null}` instead of 404. */
  missingItemAsNull?: boolean;
  /** Status for zoneInformation of an unknown user. */
  unknownZoneUserStatus?: number;
}

export interface AutotaskSimulator {
  app: FastifyInstance;
  state: AutotaskState;
  faults: FaultInjector;
  options: Required<Omit<AutotaskSimulatorOptions, 'fixture'>>;
  /** Moves the tenant to a new zone: the old base URL starts failing, zoneInformation points at the new one. */
  moveZone(): void;
  /** Requests counted in the rolling window (every integration code of the tenant). */
  requestsThisHour(): number;
  /** The most requests the rolling window ever held (ThresholdInformation is free, so not counted). */
  peakRequestsInWindow(): number;
  /** Starts counting that peak afresh (e.g. after a test's setup). */
  resetPeakRequestsInWindow(): void;
  /**
   * Most requests seen in flight at once per `tenant|code|entity`, counting the one that just
   * arrived even when the thread limit refuses it: what the service tried to send at once.
   */
  peakConcurrency: Map<string, number>;
  /** Requests refused for the thread limit, per `tenant|code|entity`. */
  threadLimitRefusals: Map<string, number>;
}

const errors = (reply: FastifyReply, status: number, ...messages: string[]) => reply.code(status).send({ errors: messages });

export function createAutotaskSimulator(input: AutotaskSimulatorOptions): AutotaskSimulator {
  const options = {
    threadLimit: input.threadLimit ?? 3,
    threadLimitStatus: input.threadLimitStatus ?? 429,
    hourlyThreshold: input.hourlyThreshold ?? 10_000,
    thresholdWindowMs: input.thresholdWindowMs ?? 3_600_000,
    thresholdLatency: input.thresholdLatency ?? false,
    missingItemAsNull: input.missingItemAsNull ?? false,
    unknownZoneUserStatus: input.unknownZoneUserStatus ?? 500,
  };
  const state = new AutotaskState(input.fixture);
  const faults = new FaultInjector();
  const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
  let zone = 1;
  const requestTimes: number[] = [];
  const inFlight = new Map<string, number>();
  const peakConcurrency = new Map<string, number>();
  const threadLimitRefusals = new Map<string, number>();

  let peakInWindow = 0;
  const requestsThisHour = () => {
    const cutoff = Date.now() - options.thresholdWindowMs;
    while (requestTimes.length && requestTimes[0]! < cutoff) requestTimes.shift();
    return requestTimes.length;
  };

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const url = new URL(request.url, 'http://sim');
      const path = url.pathname.replace(/\/+$/, '').toLowerCase();
      if (path.startsWith('/_sim')) return reply.code(404).send({ error: 'unknown control route' });
      const started = Date.now();
      reply.raw.once('close', () =>
        faults.record({ at: started, method: request.method, path: url.pathname, status: reply.raw.headersSent ? reply.statusCode : 0, ...((request.method === 'POST' && /adjustments/i.test(path)) || faults.logBodies ? { body: request.body } : {}), ...(faults.logBodies ? { query: url.search } : {}) })
      );

      // Zone and version lookups: global, no auth headers, not thread-limited.
      if (/^\/atservicesrest\/v1\.0\/zoneinformation$/.test(path)) return zoneInformation(request, reply, url);
      if (path === '/atservicesrest/versioninformation') return { apiVersions: ['1.0'] };

      const m = /^\/zone-(\d+)\/atservicesrest\/v1\.0\/(.+)$/.exec(path);
      if (!m) return reply.code(404).type('text/html').send('<html><body><h2>404 - File or directory not found.</h2></body></html>');
      if (Number(m[1]) !== zone) return reply.code(404).type('text/html').send('<html><body><h2>The resource you are looking for has been removed.</h2></body></html>');
      const segments = m[2]!.split('/');

      // Authentication, as Autotask does it: unknown user or code → 500, wrong secret → 401.
      const userName = String(request.headers.username ?? '');
      const secret = String(request.headers.secret ?? '');
      const code = String(request.headers.apiintegrationcode ?? '');
      const user = state.data.users.find((u) => u.userName.toLowerCase() === userName.toLowerCase());
      if (!userName || !user) return errors(reply, 500, 'User is not valid or does not have access to this resource.');
      if (!code || !state.data.integrationCodes.includes(code) || (user.integrationCodes && !user.integrationCodes.includes(code))) {
        return errors(reply, 500, 'The integration code is not valid or has been disabled.');
      }
      if (secret !== user.secret) return reply.code(401).send({ errors: ['Authentication failed.'] });

      // ThresholdInformation costs nothing against the threshold, as in Autotask.
      if (segments[0] !== 'thresholdinformation') requestTimes.push(Date.now());
      const used = requestsThisHour();
      peakInWindow = Math.max(peakInWindow, used);
      if (used > options.hourlyThreshold) {
        reply.header('Retry-After', '60');
        return errors(reply, 429, `Request Threshold Exceeded: ${used} requests in the last ${options.thresholdWindowMs / 60_000} minutes exceed the threshold of ${options.hourlyThreshold}.`);
      }

      const key = `${state.data.ci}|${code}|${segments[0]}`;
      const running = (inFlight.get(key) ?? 0) + 1;
      peakConcurrency.set(key, Math.max(peakConcurrency.get(key) ?? 0, running));
      if (running > options.threadLimit) {
        threadLimitRefusals.set(key, (threadLimitRefusals.get(key) ?? 0) + 1);
        return errors(reply, options.threadLimitStatus, `Thread Threshold Exceeded: the thread threshold of ${options.threadLimit} threads has been exceeded for ${segments[0]}.`);
      }
      inFlight.set(key, running);
      try {
        let delay = faults.latencyMs;
        if (options.thresholdLatency) delay += used >= 0.75 * options.hourlyThreshold ? 1_000 : used >= 0.5 * options.hourlyThreshold ? 500 : 0;
        if (delay) await sleep(delay);
        const fault = faults.take(request.method, url.pathname);
        if (fault && (await applyFault(fault, request, reply))) return reply;
        const result = await dispatch(request, reply, segments, url, user.restricted === true, m[1]!, applyModeOf(fault));
        if (fault?.kind === 'lost') {
          resetConnection(request, reply); // the write happened; the answer never arrives
          return reply;
        }
        const answer = fault?.kind === 'garbled' ? fault : fault?.kind === 'dropped' && fault.body !== undefined ? { status: 200, body: fault.body } : undefined;
        if (answer && !reply.sent) {
          // The write was taken; the answer is not the `{itemId}` Autotask normally sends.
          const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);
          return reply.code(answer.status).type('application/json').send(body);
        }
        return result;
      } catch (err) {
        if (err instanceof QueryError || err instanceof BusinessRuleError) return errors(reply, 500, err.message);
        throw err;
      } finally {
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      }
    },
  });

  function zoneInformation(request: FastifyRequest, reply: FastifyReply, url: URL) {
    const user = url.searchParams.get('user') ?? url.searchParams.get('User');
    if (!user) return errors(reply, 400, 'The user parameter is required.');
    if (!state.data.users.some((u) => u.userName.toLowerCase() === user.toLowerCase())) {
      return errors(reply, options.unknownZoneUserStatus, `Zone information could not be determined for user ${user}.`);
    }
    const origin = `http://${request.headers.host}`;
    return { zoneName: state.data.zoneName, url: `${origin}/zone-${zone}/atservicesrest/`, webUrl: `${origin}/zone-${zone}/`, ci: state.data.ci };
  }

  async function dispatch(request: FastifyRequest, reply: FastifyReply, segments: string[], url: URL, restricted: boolean, zoneId: string, applyMode: ApplyMode) {
    const method = request.method;
    const notAllowed = () => reply.code(405).send({ Message: `The requested resource does not support http method '${method}'.` });
    const [first, second, third, fourth] = segments;

    if (first === 'thresholdinformation') {
      if (method !== 'GET') return notAllowed();
      return { externalRequestThreshold: options.hourlyThreshold, requestThresholdTimeframe: options.thresholdWindowMs / 60_000, currentTimeframeRequestCount: requestsThisHour() };
    }
    if (first === 'contractserviceadjustments' && !second) {
      if (method !== 'POST') return notAllowed();
      return { itemId: state.createAdjustment(bodyObject(request), undefined, applyMode).id };
    }
    if (first === 'contracts' && second && /^\d+$/.test(second) && third) {
      const contractId = Number(second);
      if (third === 'serviceadjustments' && !fourth) {
        if (method !== 'POST') return notAllowed();
        return { itemId: state.createAdjustment({ ...bodyObject(request), contractID: contractId }, contractId, applyMode).id };
      }
      if (third === 'services' && !fourth) {
        if (method === 'POST') {
          const body = z.object({ serviceID: z.number().int(), unitPrice: z.number().optional() }).passthrough().safeParse(lowerKeys(bodyObject(request), ['serviceID', 'unitPrice']));
          if (!body.success) return errors(reply, 500, 'serviceID is required.');
          return { itemId: state.addContractService(contractId, body.data.serviceID, body.data.unitPrice).id };
        }
        if (method === 'GET') return childList('contractservices', [{ op: 'eq', field: 'contractID', value: contractId }]);
        return notAllowed();
      }
      if (third === 'serviceunits' && !fourth) {
        if (method !== 'GET') return notAllowed();
        return childList('contractserviceunits', [{ op: 'eq', field: 'contractID', value: contractId }]);
      }
    }

    const entity = first ? ENTITIES[first] : undefined;
    if (!entity) return reply.code(404).send({ errors: [`No entity named ${first}.`] });
    if (second === 'entityinformation') {
      if (method !== 'GET') return notAllowed();
      if (third === 'fields') return { fields: fieldInfo(entity) };
      return { info: { name: entity.name, canCreate: entity.canCreate, canQuery: entity.canQuery, canUpdate: false, canDelete: false, hasUserDefinedFields: false } };
    }
    if (!entity.canQuery) return method === 'POST' ? notAllowed() : reply.code(404).send({ errors: [`${entity.name} cannot be queried.`] });
    if (second === 'query') {
      if (method !== 'GET' && method !== 'POST') return notAllowed();
      const searchParam = url.searchParams.get('search');
      const model = readQueryModel(searchParam ? JSON.parse(searchParam) : request.body);
      const matches = restricted ? [] : rowsFor(first!, model.filter).filter(matchAll(entity, model.filter));
      if (third === 'count') return { queryCount: matches.length };
      if (third) return reply.code(404).send({ errors: ['Unknown query route.'] });
      matches.sort((a, b) => Number(a.id) - Number(b.id));
      const pageSize = Math.min(model.maxRecords ?? 500, 500);
      const paging = url.searchParams.get('paging');
      const lastId = paging ? Number((JSON.parse(paging) as { lastId?: number }).lastId ?? 0) : 0;
      const rest = lastId ? matches.filter((r) => Number(r.id) > lastId) : matches;
      const page = rest.slice(0, pageSize);
      const more = rest.length > page.length;
      const base = `http://${request.headers.host}/zone-${zoneId}/atservicesrest/v1.0/${entity.name}/query`;
      const search = JSON.stringify({ filter: model.filter, includeFields: model.includeFields, maxRecords: model.maxRecords });
      return {
        items: page.map((r) => project(entity, r, model.includeFields)),
        pageDetails: {
          count: page.length,
          requestCount: pageSize,
          prevPageUrl: null,
          nextPageUrl: more ? `${base}?search=${encodeURIComponent(search)}&paging=${encodeURIComponent(JSON.stringify({ pageSize, lastId: Number(page.at(-1)!.id) }))}` : null,
        },
      };
    }
    if (second && /^\d+$/.test(second) && !third) {
      if (method !== 'GET') return notAllowed();
      const row = restricted ? undefined : rowsFor(first!, [{ op: 'eq', field: 'id', value: Number(second) }]).find((r) => Number(r.id) === Number(second));
      if (!row) return options.missingItemAsNull ? { item: null } : reply.code(404).send({ errors: [`No ${entity.name} with id ${second}.`] });
      return { item: project(entity, row) };
    }
    return method === 'GET' ? reply.code(404).send({ errors: ['Unknown route.'] }) : notAllowed();
  }

  function childList(entityKey: string, filter: Filter[]) {
    const entity = ENTITIES[entityKey]!;
    const items = rowsFor(entityKey, filter).filter(matchAll(entity, filter)).sort((a, b) => Number(a.id) - Number(b.id));
    return { items: items.map((r) => project(entity, r)), pageDetails: { count: items.length, requestCount: 500, prevPageUrl: null, nextPageUrl: null } };
  }

  /** The entity's records, narrowed cheaply when top-level filters name contracts or contract services. */
  function rowsFor(entityKey: string, filter: Filter[]): Array<Record<string, unknown>> {
    switch (entityKey) {
      case 'companies': return state.data.companies;
      case 'contracts': return state.data.contracts;
      case 'services': return state.data.services;
      case 'contractservices': return state.data.contractServices;
      case 'contractserviceunits': {
        const ids = (field: string) => {
          const f = filter.find((x) => x.field?.toLowerCase() === field.toLowerCase() && ['eq', 'in'].includes(x.op.toLowerCase()));
          if (!f) return undefined;
          return new Set((Array.isArray(f.value) ? f.value : [f.value]).map(Number));
        };
        return state.unitRows({ contractIds: ids('contractID'), contractServiceIds: ids('contractServiceID') }) as unknown as Array<Record<string, unknown>>;
      }
      default: return [];
    }
  }

  registerFaultRoutes(app, faults);
  app.get('/_sim/state', async () => ({ adjustments: state.adjustments, contractServices: state.data.contractServices.length, requestsThisHour: requestsThisHour(), peakRequestsInWindow: peakInWindow, zone }));
  // What tests on other processes assert: never more than the thread limit in flight (issue 15).
  app.get('/_sim/concurrency', async () => ({
    threadLimit: options.threadLimit,
    endpoints: [...peakConcurrency].map(([key, peak]) => {
      const [tenant, trackingIdentifier, endpoint] = key.split('|');
      return { tenant, trackingIdentifier, endpoint, peak, refused: threadLimitRefusals.get(key) ?? 0 };
    }),
  }));
  app.delete('/_sim/concurrency', async () => {
    peakConcurrency.clear();
    threadLimitRefusals.clear();
    return { ok: true };
  });
  app.put('/_sim/fixture', async (request) => {
    state.load(request.body as AtFixture);
    return { ok: true };
  });
  app.patch('/_sim/contracts/:id', async (request, reply) => {
    const { id } = z.object({ id: z.coerce.number().int() }).parse(request.params);
    const { status } = z.object({ status: z.union([z.literal(0), z.literal(1)]) }).parse(request.body);
    if (!state.contract(id)) return reply.code(404).send({ error: `no contract ${id}` });
    state.setContractStatus(id, status);
    return { id, status };
  });
  app.post('/_sim/move-zone', async () => {
    zone += 1;
    return { zone };
  });
  // A fresh hour for the threshold: long test sequences would otherwise spend the tenant's
  // hourly budget and meet 429 at Authenticate, which is not what they test.
  app.delete('/_sim/usage', async () => {
    requestTimes.length = 0;
    return { requestsThisHour: 0 };
  });

  return {
    app,
    state,
    faults,
    options,
    moveZone: () => void (zone += 1),
    requestsThisHour,
    peakRequestsInWindow: () => peakInWindow,
    resetPeakRequestsInWindow: () => void (peakInWindow = 0),
    peakConcurrency,
    threadLimitRefusals,
  };
}

/** The `late` and `dropped` faults change how an adjustment is applied; other requests ignore them. */
function applyModeOf(fault: Fault | undefined): ApplyMode {
  if (fault?.kind === 'late') return { kind: 'late', reads: fault.reads, ms: fault.ms };
  if (fault?.kind === 'dropped') return { kind: 'never' };
  return { kind: 'now' };
}

function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BusinessRuleError('A JSON object body is required.');
  return body as Record<string, unknown>;
}

function lowerKeys(body: Record<string, unknown>, canonical: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[canonical.find((c) => c.toLowerCase() === k.toLowerCase()) ?? k] = v;
  return out;
}

function fieldInfo(entity: EntityDescriptor) {
  return Object.entries(entity.fields).map(([name, type]) => {
    const picklist = entity.picklists?.[name];
    return {
      name,
      dataType: type === 'datetime' ? 'datetime' : type === 'boolean' ? 'boolean' : type === 'string' ? 'string' : type === 'double' ? 'double' : type === 'long' ? 'long' : 'integer',
      length: type === 'string' ? 100 : 0,
      isRequired: name === 'id',
      isReadOnly: name === 'id',
      isQueryable: true,
      isReference: /ID$/.test(name) && name !== 'id',
      referenceEntityType: '',
      isPickList: Boolean(picklist),
      picklistValues: picklist ? Object.entries(picklist).map(([value, label], i) => ({ value, label, isDefaultValue: i === 0, sortOrder: i, parentValue: '', isActive: true, isSystem: true })) : null,
      picklistParentValueField: '',
      isSupportedWebhookField: false,
    };
  });
}
