/** Product mappings: Password Boss products on the left, an active Autotask service (or none) on the right. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps/deps.ts';
import { listProductMappings, replaceProductMappings } from '../../db/repositories/product-mappings.ts';
import type { PbProduct } from '../../integrations/passwordboss/schemas.ts';
import { errorBodySchema, unprocessable } from '../errors.ts';
import { requireConfiguredPartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import { mapIntegrationErrors } from '../services/integration-errors.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';
import { TtlCache } from '../services/ttl-cache.ts';

export interface ProductMappingRouteDeps {
  services: Deps;
  autotask: PartnerAutotask;
}

const mappingSchema = z
  .object({
    productId: z.string(),
    productName: z.string(),
    autotaskServiceId: z.number().int().nullable(),
    autotaskServiceName: z.string().nullable(),
    notBilled: z.boolean().describe('true: saved as not billed (no service, no warning); false with no service: not mapped yet (companies with its users get a warning)'),
  })
  .meta({ id: 'ProductMapping' });
export type ProductMappingView = z.output<typeof mappingSchema>;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };

const productMappingRoutes: FastifyPluginAsyncZod<ProductMappingRouteDeps> = async (app, { services, autotask }) => {
  const { db } = services;
  const products = new TtlCache<PbProduct[]>(60_000);
  const productsOf = (pid: string) => products.get(pid, () => mapIntegrationErrors(() => services.passwordboss.products(pid)));

  async function view(pid: string) {
    const [list, saved] = await Promise.all([productsOf(pid), listProductMappings(db, pid)]);
    const byId = new Map(saved.map((m) => [m.productId, m]));
    return list.map((p) => {
      const row = byId.get(p.id);
      return { productId: p.id, productName: p.name, autotaskServiceId: row?.autotaskServiceId ?? null, autotaskServiceName: row?.autotaskServiceName ?? null, notBilled: row !== undefined && row.autotaskServiceId === null };
    });
  }

  app.get('/v1/partners/:pid/product-mappings', {
    schema: { tags: ['mappings'], summary: 'Every Password Boss product with its Autotask service', params: partnerParams, response: { 200: z.object({ items: z.array(mappingSchema) }), ...errors } },
  }, async (request) => {
    await requireConfiguredPartner(db, request, request.params.pid);
    return { items: await view(request.params.pid) };
  });

  app.put('/v1/partners/:pid/product-mappings', {
    schema: {
      tags: ['mappings'],
      summary: 'Save the product mappings (each product to at most one active service)',
      description: 'Each listed product is mapped to the service given, or saved as not billed (`null`: no service, no warning). Products not listed keep what they had: a page read before Password Boss added a product, or a client that sends only the product it changes, does not stop billing the others.',
      params: partnerParams,
      body: z.object({ mappings: z.array(z.object({ productId: z.string().min(1).max(100), autotaskServiceId: z.number().int().positive().nullable() }).strict()).max(100) }).strict(),
      response: { 200: z.object({ items: z.array(mappingSchema) }), ...errors },
    },
  }, async (request) => {
    const { pid } = request.params;
    await requireConfiguredPartner(db, request, pid);
    const { mappings } = request.body;
    const seen = new Set<string>();
    for (const m of mappings) {
      if (seen.has(m.productId)) throw unprocessable('duplicate_product', `Product '${m.productId}' appears twice; map each product once`);
      seen.add(m.productId);
    }
    const known = new Map((await productsOf(pid)).map((p) => [p.id, p]));
    const unknown = mappings.filter((m) => !known.has(m.productId));
    if (unknown.length) throw unprocessable('unknown_product', `Password Boss has no product ${unknown.map((m) => `'${m.productId}'`).join(', ')}`);
    const serviceIds = mappings.flatMap((m) => (m.autotaskServiceId ? [m.autotaskServiceId] : []));
    const services = new Map((serviceIds.length ? await autotask.servicesByIds(pid, serviceIds) : []).map((s) => [s.id, s]));
    for (const id of serviceIds) {
      const s = services.get(id);
      if (!s) throw unprocessable('service_not_found', `Autotask has no service #${id}; pick one from the list of services`, { autotaskServiceId: id });
      if (s.isActive === false) throw unprocessable('service_inactive', `Autotask service '${s.name}' is inactive; activate it in Autotask (Admin > Products & Services > Services) or pick another`, { autotaskServiceId: id });
    }
    // Unlisted products keep their row (or stay without one: not mapped yet, which warns); saving
    // them as null would mark them "not billed" and silently stop billing their users.
    const given = new Map(mappings.map((m) => [m.productId, m.autotaskServiceId]));
    await replaceProductMappings(db, pid, (before) => [...known.values()].flatMap((p) => {
      if (!given.has(p.id)) {
        const kept = before.get(p.id);
        return kept ? [{ productId: p.id, productName: p.name, autotaskServiceId: kept.autotaskServiceId, autotaskServiceName: kept.autotaskServiceName }] : [];
      }
      const serviceId = given.get(p.id)!;
      return [{ productId: p.id, productName: p.name, autotaskServiceId: serviceId, autotaskServiceName: serviceId ? services.get(serviceId)!.name : null }];
    }));
    return { items: await view(pid) };
  });
};

export default productMappingRoutes;
