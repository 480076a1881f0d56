import type { z } from 'zod';
import type { Issue } from '@suara/contracts';
import { ApiError } from './api-error';

/** Zod issues as the API's `{path, message}` list, paths dotted from `prefix` (`form.votes.01`); one entry per unknown key. */
export function toIssues(error: z.ZodError, prefix = ''): Issue[] {
  const path = (parts: readonly PropertyKey[]) => [prefix, ...parts.map(String)].filter(Boolean).join('.') || '(body)';
  return error.issues.flatMap((i): Issue[] =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: path([...i.path, key]), message: 'field tidak dikenal' }))
      : [{ path: path(i.path), message: i.message }],
  );
}

/** Parses a request body or throws `400 invalid_input` naming every bad field. A missing body parses as `{}`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, message = 'Data tidak valid'): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ApiError(400, 'invalid_input', message, toIssues(result.error));
  return result.data;
}

/** Parses one route or query parameter, naming it in the error. */
export function parseParam<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'invalid_input', `Parameter ${name} tidak valid`, toIssues(result.error, name));
  return result.data;
}
