/**
 * Switchable latency and faults shared by both simulators, and the request log tests and
 * benchmarks read. A rule fires for the next `times` requests whose method and path match.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('status'), status: z.number().int().min(200).max(599), body: z.unknown().optional(), headers: z.record(z.string(), z.string()).optional() }),
  z.object({ kind: z.literal('reset') }),
  z.object({ kind: z.literal('slow'), ms: z.number().int().min(0).max(120_000) }),
  z.object({ kind: z.literal('html'), status: z.number().int().min(400).max(599) }),
  z.object({ kind: z.literal('malformed') }),
  /** Autotask: the write is applied, then the connection is dropped before the answer. */
  z.object({ kind: z.literal('lost') }),
  /** Autotask adjustments: the write is applied, then answered with this body instead of `{itemId}`. */
  z.object({ kind: z.literal('garbled'), status: z.number().int().min(200).max(299).default(200), body: z.unknown() }),
  /**
   * Autotask adjustments: accepted with an itemId, but the units change only after the next
   * `reads` reads of that contract service, or after `ms` — a write that does not read back.
   */
  z.object({ kind: z.literal('late'), reads: z.number().int().min(1).optional(), ms: z.number().int().min(1).max(600_000).optional() })
    .refine((f) => (f.reads === undefined) !== (f.ms === undefined), 'a late fault needs exactly one of reads or ms'),
  /**
   * Autotask adjustments: accepted with an itemId, never applied; with `body`, answered with that
   * instead of `{itemId}` (accepted without naming it, and never applied).
   */
  z.object({ kind: z.literal('dropped'), body: z.unknown().optional() }),
]);
export type Fault = z.infer<typeof faultSchema>;

export const faultRuleSchema = z.object({
  method: z.string().optional(),
  /** A case-insensitive regular expression tested against the path. */
  path: z.string().optional(),
  times: z.number().int().min(1).default(1),
  /** Matching requests to let through before the rule fires (e.g. the second write, not the first). */
  after: z.number().int().min(0).default(0),
  fault: faultSchema,
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  fault?: Fault['kind'];
  body?: unknown;
  query?: string;
}

export class FaultInjector {
  latencyMs = 0;
  rules: FaultRule[] = [];
  log: LoggedRequest[] = [];
  /** Keeps memory bounded under benchmarks. */
  maxLog = 200_000;
  /** Log every request body (conformance tests). */
  logBodies = false;

  add(rule: z.input<typeof faultRuleSchema>): void {
    this.rules.push(faultRuleSchema.parse(rule));
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  /** The fault for this request, if a rule matches (consuming one of its `after`, then its `times`). */
  take(method: string, path: string): Fault | undefined {
    const index = this.rules.findIndex((r) => (!r.method || r.method.toUpperCase() === method) && (!r.path || new RegExp(r.path, 'i').test(path)));
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    if (rule.after > 0) {
      rule.after -= 1;
      return undefined;
    }
    rule.times -= 1;
    if (rule.times <= 0) this.rules.splice(index, 1);
    return rule.fault;
  }

  record(entry: LoggedRequest): void {
    if (this.log.length >= this.maxLog) this.log.splice(0, this.log.length - this.maxLog + 1);
    this.log.push(entry);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Destroys the connection without an HTTP answer (what a client sees as ECONNRESET). */
export function resetConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

/** Applies a fault that stands in for the request; returns true when it answered it. */
export async function applyFault(fault: Fault, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  switch (fault.kind) {
    case 'slow':
      await sleep(fault.ms);
      return false;
    case 'reset':
      resetConnection(request, reply);
      return true;
    case 'status':
      for (const [k, v] of Object.entries(fault.headers ?? {})) reply.header(k, v);
      await reply.code(fault.status).send(fault.body ?? { error: 'injected fault' });
      return true;
    case 'html':
      await reply.code(fault.status).type('text/html').send('<html><body><h1>Service Unavailable</h1><p>The service is temporarily unavailable.</p></body></html>');
      return true;
    case 'malformed':
      await reply.code(200).type('application/json').send('{"items": [ {"id": 1,');
      return true;
    // Faults that change how a write is applied or answered: the simulator's route applies them.
    case 'lost':
    case 'garbled':
    case 'late':
    case 'dropped':
      return false;
  }
}

/** Control routes under `/_sim`: faults, latency, the request log. */
export function registerFaultRoutes(app: FastifyInstance, faults: FaultInjector): void {
  app.post('/_sim/faults', async (request) => {
    const rules = z.array(faultRuleSchema).parse(request.body);
    for (const rule of rules) faults.add(rule);
    return { rules: faults.rules.length };
  });
  app.delete('/_sim/faults', async () => {
    faults.clear();
    return { rules: 0 };
  });
  app.put('/_sim/latency', async (request) => {
    faults.latencyMs = z.object({ ms: z.number().int().min(0).max(60_000) }).parse(request.body).ms;
    return { ms: faults.latencyMs };
  });
  app.get('/_sim/requests', async () => ({ items: faults.log }));
  app.delete('/_sim/requests', async () => {
    faults.log = [];
    return { items: [] };
  });
}
