/**
 * One error shape for every answer: `{ error: { code, message, details? } }` (docs/design.md, "REST API").
 * Messages say what went wrong and what to do; 5xx answers never carry internals.
 */
import { z } from 'zod';

export class ApiError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found`);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);
export const notSavedYet = () => conflict('integration_not_saved', 'Save the Autotask integration settings first; product mappings, the schedule, company mappings and sync become available after the first save');
export const unprocessable = (code: string, message: string, details?: unknown) => new ApiError(422, code, message, details);
export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'invalid_request', message, details);

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;
