import { ApiError, type ApiResponse } from '@suara/contracts';

/** Counts every HTTP answer by status ("network" for no answer at all). */
export class StatusCounter {
  readonly counts: Record<string, number> = {};
  add(status: number | 'network'): void {
    const key = String(status);
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}

export type CallOutcome<T> =
  | { ok: true; status: number; body: T; attempts: number }
  | { ok: false; status: number; error: ApiError; attempts: number }
  | { ok: false; status: 'gave_up'; error: unknown; attempts: number };

export interface RetryPolicy {
  attempts: number;
  /** First back-off in ms; doubles each time, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 250, maxDelayMs: 5_000 };

/**
 * Runs `call` until it gets an answer that is not worth repeating. Network errors, timeouts, 5xx and
 * 429 are retried — the caller passes the SAME request each time (same clientRequestId), which is
 * what makes a retry after a lost answer safe. 429 waits for `Retry-After`.
 */
export async function callWithRetry<T>(call: () => Promise<ApiResponse<T>>, counter?: StatusCounter, policy: RetryPolicy = DEFAULT_RETRY): Promise<CallOutcome<T>> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      const res = await call();
      counter?.add(res.status);
      return { ok: true, status: res.status, body: res.body, attempts: attempt };
    } catch (e) {
      lastError = e;
      if (e instanceof ApiError) {
        counter?.add(e.status);
        if (!isRetryable(e.status)) return { ok: false, status: e.status, error: e, attempts: attempt };
      } else {
        counter?.add('network');
      }
      if (attempt < policy.attempts) await sleep(backoffMs(e, attempt, policy));
    }
  }
  return { ok: false, status: 'gave_up', error: lastError, attempts: policy.attempts };
}

export function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

function backoffMs(error: unknown, attempt: number, policy: RetryPolicy): number {
  if (error instanceof ApiError && error.status === 429) {
    const after = Number(error.headers?.get('retry-after'));
    if (after > 0) return after * 1000 + Math.random() * 250;
  }
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return exp / 2 + Math.random() * (exp / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `fetch` that gives up after `timeoutMs` (the retry then resends the same request). */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/** Maps with at most `limit` calls in flight, keeping the input order in the output. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** One line for an error that is not worth a stack trace. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const issues = e.body.issues?.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
    return `${e.status} ${e.body.error}: ${e.body.message}${issues ? ` (${issues})` : ''}`;
  }
  if (e instanceof Error) return `${e.name}: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}`;
  return String(e);
}
