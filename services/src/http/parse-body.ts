import type { z } from 'zod';
import type { Issue } from '@suara/contracts';
import { ApiError } from './api-error';

/** Zod issues as the API's `{path, message}` list, paths dotted from `prefix`. */
export function toIssues(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
  }));
}

/** Parses a request body or throws `400 invalid_input` naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ApiError(400, 'invalid_input', 'Data tidak valid', toIssues(result.error));
  return result.data;
}

/** Parses one route or query parameter, naming it in the error. */
export function parseParam<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'invalid_input', `Parameter ${name} tidak valid`, toIssues(result.error, name));
  return result.data;
}
