/**
 * What the Autotask simulator holds, seedable from JSON or programmatically. Dates are
 * `YYYY-MM-DD` here and served as `YYYY-MM-DDT00:00:00`, as Autotask does for date-only fields.
 */
import { z } from 'zod';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const atFixtureSchema = z.object({
  zoneName: z.string().default('Simulated Zone'),
  ci: z.number().int().default(1),
  /** Known API users; `integrationCodes` limits which tracking identifiers each may use (omitted: any known code). */
  users: z.array(z.object({ userName: z.string(), secret: z.string(), integrationCodes: z.array(z.string()).optional(), restricted: z.boolean().optional() })),
  /** Known tracking identifiers; an unknown one is refused like Autotask does (500). */
  integrationCodes: z.array(z.string()),
  companies: z.array(z.object({ id: z.number().int(), companyName: z.string(), companyNumber: z.string().nullish(), companyType: z.number().int(), isActive: z.boolean() })),
  contracts: z.array(z.object({
    id: z.number().int(),
    companyID: z.number().int(),
    contractName: z.string(),
    contractNumber: z.string().nullish(),
    contractType: z.number().int(),
    status: z.number().int(),
    startDate: date,
    endDate: date,
    contractPeriodType: z.number().int().default(1),
    renewedContractID: z.number().int().nullish(),
    isDefaultContract: z.boolean().default(false),
    /** UTC, as Autotask stamps any change; unset: the contract's start (a reload stamps what it changed). */
    lastModifiedDateTime: z.string().datetime().optional(),
  })),
  services: z.array(z.object({ id: z.number().int(), name: z.string(), description: z.string().nullish(), isActive: z.boolean(), unitPrice: z.number(), unitCost: z.number().nullish(), periodType: z.number().int().default(1) })),
  contractServices: z.array(z.object({ id: z.number().int(), contractID: z.number().int(), serviceID: z.number().int(), unitPrice: z.number().nullish() })),
  adjustments: z.array(z.object({ contractID: z.number().int(), serviceID: z.number().int(), effectiveDate: date, unitChange: z.number().int() })).default([]),
  /** Billing periods ending on or before `through` are approved and posted: no adjustment may touch them. */
  postedThrough: z.array(z.object({ contractID: z.number().int(), through: date })).default([]),
});

export type AtFixture = z.input<typeof atFixtureSchema>;
export type AtFixtureParsed = z.output<typeof atFixtureSchema>;

/** Picklists served by entityInformation/fields; the client resolves labels from here. */
export const CONTRACT_TYPES = { 1: 'Time and Materials', 3: 'Fixed Price', 4: 'Block Hours', 6: 'Retainer', 7: 'Recurring Service', 8: 'Per Ticket' } as const;
export const CONTRACT_STATUSES = { 0: 'Inactive', 1: 'Active' } as const;
export const PERIOD_TYPES = { 1: 'Monthly', 2: 'Quarterly', 3: 'Semi-Annual', 4: 'Yearly' } as const;
export const COMPANY_TYPES = { 1: 'Customer', 2: 'Lead', 3: 'Prospect', 4: 'Dead', 6: 'Cancelation', 7: 'Vendor', 8: 'Partner' } as const;
