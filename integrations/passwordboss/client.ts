/**
 * Password Boss API client on undici: products, companies (all pages, or one by id), month-end counts.
 * Every answer is parsed with zod; every failure is an IntegrationError. No retries here:
 * Temporal's activity retries are the one retry layer.
 */
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { IntegrationError, excerpt, isNetworkError } from '../errors.ts';
import {
  companiesResponseSchema,
  companySchema,
  monthEndCountsResponseSchema,
  productsResponseSchema,
  type PbCompany,
  type PbMonthEndCounts,
  type PbProduct,
} from './schemas.ts';

export interface PasswordBossClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  pageSize?: number;
}

export type MonthEndCountsResult = { final: true; counts: PbMonthEndCounts } | { final: false; month: string | null; reason: string; counts?: PbMonthEndCounts };

export class PasswordBossClient {
  private readonly agent: Agent;
  private readonly base: string;
  constructor(private readonly options: PasswordBossClientOptions) {
    this.base = options.baseUrl.replace(/\/$/, '');
    this.agent = new Agent({ connections: 16, headersTimeout: options.timeoutMs ?? 15_000, bodyTimeout: options.timeoutMs ?? 15_000 });
  }

  async products(partnerId: string, signal?: AbortSignal): Promise<PbProduct[]> {
    const res = await this.get(`/v1/partners/${encodeURIComponent(partnerId)}/products`, productsResponseSchema, signal);
    return res.items;
  }

  /** Every company, following nextCursor to the end. */
  async companies(partnerId: string, signal?: AbortSignal): Promise<PbCompany[]> {
    const all: PbCompany[] = [];
    let cursor: string | null = null;
    const seen = new Set<string>();
    do {
      const qs = new URLSearchParams({ limit: String(this.options.pageSize ?? 500) });
      if (cursor) qs.set('cursor', cursor);
      const page: z.infer<typeof companiesResponseSchema> = await this.get(`/v1/partners/${encodeURIComponent(partnerId)}/companies?${qs}`, companiesResponseSchema, signal);
      all.push(...page.items);
      cursor = page.nextCursor;
      if (cursor && seen.has(cursor)) throw new IntegrationError('passwordboss', 'malformed', 'Password Boss returned the same page cursor twice; paging stopped');
      if (cursor) seen.add(cursor);
    } while (cursor);
    return all;
  }

  /**
   * One company by id, or null when the partner has no such company. A 404 for the partner
   * itself stays an error: it means the partner id is wrong, not that the company is new.
   */
  async company(partnerId: string, companyId: string, signal?: AbortSignal): Promise<PbCompany | null> {
    // encodeURIComponent keeps dots and URL parsing resolves dot segments: '..' would read
    // /v1/partners/{id}/ and '.' the company list. No company has such an id.
    if (companyId === '.' || companyId === '..') return null;
    const path = `/v1/partners/${encodeURIComponent(partnerId)}/companies/${encodeURIComponent(companyId)}`;
    try {
      return await this.get(path, companySchema, signal);
    } catch (err) {
      if (err instanceof IntegrationError && err.extra.code === 'company_not_found') return null;
      throw err;
    }
  }

  /**
   * Month-end counts: the latest final month by default, or a given month, optionally for one
   * company. A month not calculated yet is a result (`final: false`), not a failure.
   */
  async monthEndCounts(partnerId: string, options: { month?: string; companyId?: string } = {}, signal?: AbortSignal): Promise<MonthEndCountsResult> {
    const qs = new URLSearchParams();
    if (options.month) qs.set('month', options.month);
    if (options.companyId) qs.set('companyId', options.companyId);
    const path = `/v1/partners/${encodeURIComponent(partnerId)}/month-end-counts${qs.size ? `?${qs}` : ''}`;
    try {
      const counts = await this.get(path, monthEndCountsResponseSchema, signal);
      if (!counts.final) return { final: false, month: counts.month, reason: `Password Boss has not finalised ${counts.month} yet`, counts };
      return { final: true, counts };
    } catch (err) {
      if (err instanceof IntegrationError && err.kind === 'not_found' && /month|final/i.test(err.message)) {
        return { final: false, month: options.month ?? null, reason: err.message };
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async get<S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    let res;
    try {
      res = await request(`${this.base}${path}`, {
        method: 'GET',
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const reason = isNetworkError(err) ? (err as { code?: string }).code : (err as Error).message;
      throw new IntegrationError('passwordboss', 'unavailable', `Password Boss is unreachable (${reason}); the sync retries automatically`);
    }
    const text = await res.body.text();
    const status = res.statusCode;
    if (status === 401 || status === 403) {
      throw new IntegrationError('passwordboss', 'authentication', 'Password Boss refused the service token; check PASSWORDBOSS_API_TOKEN', { status, authPart: 'service_token' });
    }
    if (status === 404) {
      const code = readErrorCode(text);
      throw new IntegrationError('passwordboss', 'not_found', readError(text) ?? `Password Boss answered 404 for ${path.split('?')[0]}`, { status, excerpt: excerpt(text), ...(code ? { code } : {}) });
    }
    if (status === 429 || status >= 500) {
      throw new IntegrationError('passwordboss', 'unavailable', `Password Boss answered ${status}; the sync retries automatically`, { status, excerpt: excerpt(text) });
    }
    if (status !== 200) {
      throw new IntegrationError('passwordboss', 'malformed', `Password Boss answered ${status} unexpectedly: ${excerpt(text, 120)}`, { status, excerpt: excerpt(text) });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Every call here is a read, and a body that is not JSON was most likely cut off on its
      // way: reading again is safe, so it is retried. A body of the wrong shape (below) is not.
      throw new IntegrationError('passwordboss', 'unavailable', `Password Boss sent an answer that is not JSON (cut off?): ${excerpt(text, 120)}; the sync retries automatically`, { status, excerpt: excerpt(text) });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new IntegrationError('passwordboss', 'malformed', `Password Boss sent an unexpected body (${issue?.path.join('.') || 'body'}: ${issue?.message}): ${excerpt(text, 120)}`, { status, excerpt: excerpt(text) });
    }
    return parsed.data;
  }
}

function readError(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: string | { message?: string } };
    return typeof body.error === 'string' ? body.error : body.error?.message;
  } catch {
    return undefined;
  }
}

function readErrorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: string | { code?: unknown } };
    return typeof body.error === 'object' && typeof body.error.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}
