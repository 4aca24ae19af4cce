/**
 * The Password Boss API contract this service consumes (docs/design.md, "Password Boss API").
 * The client parses with these; the simulator serves what they describe.
 */
import { z } from 'zod';

export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

export const productSchema = z.object({ id: z.string().min(1), name: z.string() });
export const productsResponseSchema = z.object({ items: z.array(productSchema) });

export const companySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  type: z.string(),
  domain: z.string().nullish(),
  active: z.boolean(),
});
export const companiesResponseSchema = z.object({ items: z.array(companySchema), nextCursor: z.string().nullable() });

export const countSchema = z.object({
  companyId: z.string().min(1),
  productId: z.string().min(1),
  users: z.number().int().min(0),
  licenses: z.number().int().min(0),
});
export const monthEndCountsResponseSchema = z.object({
  month: monthSchema,
  final: z.boolean(),
  calculatedAt: z.string(),
  items: z.array(countSchema),
});

export type PbProduct = z.infer<typeof productSchema>;
export type PbCompany = z.infer<typeof companySchema>;
export type PbCount = z.infer<typeof countSchema>;
export type PbMonthEndCounts = z.infer<typeof monthEndCountsResponseSchema>;
