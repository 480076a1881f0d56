import { ApiError } from '@suara/contracts';

/** The HTTP status of a typed-client call: the answer's own status, 200 for a plain body, or the ApiError's. */
export async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    const r = (await p) as { status?: unknown } | undefined;
    return typeof r?.status === 'number' ? r.status : 200;
  } catch (e) {
    if (e instanceof ApiError) return e.status;
    throw e;
  }
}

/** The ApiError a call must end in. */
export async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

/** Waits (bounded) until `probe` returns a value: projections and pushes arrive asynchronously. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One login attempt from `from` (sent as X-Forwarded-For: the server must trust 127.0.0.1 as its proxy). */
export async function loginAttempt(url: string, username: string, password: string, from: string): Promise<{ status: number; retryAfter: string | null }> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}
