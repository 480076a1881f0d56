import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CreateUserBody, LoginBody } from '@suara/contracts';
import { ApiError } from './api-error';
import { parseBody, parseParam } from './parse-body';

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('parseBody', () => {
  it('returns the parsed output', () => {
    expect(parseBody(LoginBody, { username: 'budi', password: 'x' })).toEqual({ username: 'budi', password: 'x' });
  });

  it('throws 400 invalid_input listing every problem with its path', () => {
    const err = errorOf(() => parseBody(CreateUserBody, { username: 'a', password: 5, role: 'king', scope: ['12', 'x'] }));
    expect(err.getStatus()).toBe(400);
    const body = err.getResponse() as { error: string; message: string; issues: { path: string; message: string }[] };
    expect(body.error).toBe('invalid_input');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['password', 'role', 'scope.1', 'username']);
    expect(body.issues.every((i) => i.message.length > 0)).toBe(true);
  });

  it('names each unknown field of a strict object', () => {
    const err = errorOf(() => parseBody(LoginBody, { username: 'a', password: 'b', admin: true, x: 1 }));
    const body = err.getResponse() as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(['admin', 'x']);
  });

  it('writes nested paths with dots', () => {
    const schema = z.object({ form: z.object({ votes: z.record(z.string(), z.number().int().nonnegative()) }) });
    const err = errorOf(() => parseBody(schema, { form: { votes: { '01': -1 } } }));
    expect((err.getResponse() as { issues: { path: string }[] }).issues[0].path).toBe('form.votes.01');
  });

  it('parses a missing body as {} (refused when fields are required)', () => {
    for (const body of [undefined, null]) {
      const err = errorOf(() => parseBody(LoginBody, body));
      expect(err.getStatus()).toBe(400);
    }
    expect(parseBody(z.strictObject({ note: z.string().optional() }), undefined)).toEqual({});
    expect(errorOf(() => parseBody(LoginBody, 'text')).getStatus()).toBe(400);
    expect(errorOf(() => parseBody(LoginBody, [1, 2])).getStatus()).toBe(400);
  });

  it('parseParam names the parameter in the path', () => {
    const err = errorOf(() => parseParam(z.string().regex(/^[0-9]+$/), 'abc', 'tpsCode'));
    expect(err.getResponse()).toMatchObject({ error: 'invalid_input', issues: [{ path: 'tpsCode' }] });
    expect(parseParam(z.coerce.number().int(), '12', 'limit')).toBe(12);
  });
});
