/** Shared zod schemas for the REST API; they feed validation, serialization and /docs. */
import { z } from 'zod';
import { AUTOTASK_COMPANY_TYPES, autotaskCompanyTypeIds } from '../sync/autotask-company-types.ts';

/**
 * The router's limit on one path parameter (decoded), the longest id any route's schema takes
 * (a Password Boss company id, 200). Fastify's default, 100, answered longer ids 414.
 */
export const MAX_PATH_PARAM_LENGTH = 200;

export const partnerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected 1-63 lowercase letters, digits, - or _');

export const partnerParams = z.object({ pid: partnerIdSchema }).strict();

/**
 * An IANA timezone, spelled the way Temporal needs it. Intl takes any letter case
 * ("europe/berlin"); Temporal's schedules (Go's tz database) only the exact one and refused the
 * schedule otherwise. A name Intl lists, or the zone itself under its canonical name, gets that
 * spelling; other aliases ("US/Pacific") are kept as typed, and the schedule route answers 400
 * for one Temporal does not know.
 */
export const ianaTimezone = z
  .string()
  .refine(isIanaTimezone, { message: 'expected an IANA timezone such as Europe/Berlin' })
  .transform(timezoneSpelling);

const listedZones = new Map(Intl.supportedValuesOf('timeZone').map((tz) => [tz.toLowerCase(), tz]));

export function timezoneSpelling(tz: string): string {
  const listed = listedZones.get(tz.toLowerCase());
  if (listed) return listed;
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  return canonical.toLowerCase() === tz.toLowerCase() ? canonical : tz;
}

export function isIanaTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/** `companyTypes=1,3`: Autotask companyType ids (each route says what it takes when left out). */
export const companyTypesQuery = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'expected comma-separated Autotask company type ids, e.g. 1,3')
  .transform((v) => [...new Set(v.split(',').map(Number))])
  .refine((types) => types.every((t) => (autotaskCompanyTypeIds as number[]).includes(t)), { message: `unknown company type; known: ${autotaskCompanyTypeIds.join(', ')}` })
  .describe(`Autotask company types (${Object.entries(AUTOTASK_COMPANY_TYPES).map(([id, name]) => `${id} ${name}`).join(', ')})`);
