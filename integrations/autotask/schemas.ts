/** zod schemas for the Autotask fields this service reads (extra fields are ignored). */
import { z } from 'zod';
import { INT32_MAX, INT32_MIN } from './limits.ts';

const id = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const date = z.string().nullish().transform((v) => (v ? v.slice(0, 10) : null));

export const companySchema = z.object({
  id,
  companyName: z.string().nullish().transform((v) => v ?? ''),
  companyNumber: z.string().nullish(),
  companyType: z.number().int().nullish(),
  isActive: z.boolean().nullish(),
});

export const contractSchema = z.object({
  id,
  companyID: id,
  contractName: z.string().nullish().transform((v) => v ?? ''),
  contractType: z.number().int(),
  status: z.number().int().nullish(),
  startDate: date,
  endDate: date,
  renewedContractID: id.nullish(),
});

export const serviceSchema = z.object({
  id,
  name: z.string(),
  description: z.string().nullish(),
  isActive: z.boolean().nullish(),
  unitPrice: z.number().nullish(),
  periodType: z.number().int().nullish(),
});

export const contractServiceSchema = z.object({ id, contractID: id, serviceID: id });

/**
 * `price` is the extended amount (units × the contract service's unit price), so the unit price
 * is derived from it; with 0 units there is nothing to divide and it stays unknown (null).
 */
export const contractServiceUnitSchema = z
  .object({
    id,
    contractID: id,
    contractServiceID: id,
    serviceID: id,
    startDate: date,
    endDate: date,
    // int32 in Autotask; past it the units would overflow our result columns, where a result that
    // cannot be recorded is retried for ever and its run never finishes.
    units: z.number().int().min(INT32_MIN).max(INT32_MAX),
    price: z.number().nullish(),
  })
  .transform((row) => ({ ...row, unitPrice: row.units !== 0 && typeof row.price === 'number' ? round4(row.price / row.units) : null }));

/** Cuts float noise from the division (3.9 / 3); a price with more decimals than cents may be approximate. */
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export const pageSchema = z.object({
  items: z.array(z.unknown()),
  pageDetails: z.object({ count: z.number().optional(), nextPageUrl: z.string().nullish() }).partial().nullish(),
});
export const itemSchema = z.object({ item: z.unknown().nullable() });
export const createdSchema = z.object({ itemId: id });
export const thresholdSchema = z.object({
  externalRequestThreshold: z.number().int(),
  /** Minutes (Autotask: 60); a simulator with a shortened window may report a fraction. */
  requestThresholdTimeframe: z.number().positive(),
  currentTimeframeRequestCount: z.number().int(),
});

export type AtCompany = z.infer<typeof companySchema>;
export type AtContract = z.infer<typeof contractSchema>;
export type AtService = z.infer<typeof serviceSchema>;
export type AtContractService = z.infer<typeof contractServiceSchema>;
export type AtContractServiceUnit = z.infer<typeof contractServiceUnitSchema>;
export type AtThreshold = z.infer<typeof thresholdSchema>;
