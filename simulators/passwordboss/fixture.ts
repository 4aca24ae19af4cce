/** What the Password Boss simulator serves: seedable from JSON or programmatically. */
import { z } from 'zod';
import { companySchema, countSchema, monthSchema, productSchema } from '../../integrations/passwordboss/schemas.ts';

export const pbMonthSchema = z.object({
  month: monthSchema,
  final: z.boolean(),
  calculatedAt: z.string(),
  counts: z.array(countSchema),
});

export const pbPartnerSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  products: z.array(productSchema),
  companies: z.array(companySchema),
  months: z.array(pbMonthSchema),
});

export const pbFixtureSchema = z.object({ partners: z.array(pbPartnerSchema) });

export type PbFixture = z.infer<typeof pbFixtureSchema>;
export type PbPartnerFixture = z.infer<typeof pbPartnerSchema>;
export type PbMonthFixture = z.infer<typeof pbMonthSchema>;
