import type { z } from 'zod';
import type { Issue } from '@suara/contracts';
import { badRequest } from './api-error';

/** Renders a zod path the way API.md writes field paths: `form.votes.01`, `scope.2`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Turns zod issues into the API's `[{path, message}]`, one entry per unknown key. */
export function toIssues(error: z.ZodError): Issue[] {
  return error.issues.flatMap((issue): Issue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: 'field tidak dikenal' }));
    }
    return [{ path: issuePath(issue.path), message: issue.message }];
  });
}

/**
 * Parses a request body (or query) with a zod schema; throws 400 `invalid_input` listing every
 * problem. Returns the schema's output (codes normalised, defaults applied).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, message = 'Data tidak valid'): z.output<S> {
  if (body === undefined || body === null) throw badRequest([{ path: '', message: 'body JSON wajib diisi' }], message);
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(toIssues(result.error), message);
  return result.data;
}
