/** Shared zod schemas for the REST API; they feed validation, serialization and /docs. */
import { z } from 'zod';

export const partnerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected 1-63 lowercase letters, digits, - or _');

export const partnerParams = z.object({ pid: partnerIdSchema }).strict();

export const ianaTimezone = z.string().refine(isIanaTimezone, { message: 'expected an IANA timezone such as Europe/Berlin' });

export function isIanaTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

