import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/api-error';
import { SubmissionRateLimiter } from './submission-rate-limiter';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('SubmissionRateLimiter (token bucket per user)', () => {
  it('allows a burst of `capacity`, then refuses with a Retry-After', () => {
    const c = clock();
    const limiter = new SubmissionRateLimiter({ capacity: 60, perMinute: 60, now: c.now });
    for (let i = 0; i < 60; i++) expect(limiter.take('op-1').allowed).toBe(true);
    expect(limiter.take('op-1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the sustained rate', () => {
    const c = clock();
    const limiter = new SubmissionRateLimiter({ capacity: 2, perMinute: 6, now: c.now });
    limiter.take('op-1');
    limiter.take('op-1');
    expect(limiter.take('op-1')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    c.advance(5_000);
    expect(limiter.take('op-1')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    c.advance(5_000);
    expect(limiter.take('op-1').allowed).toBe(true);
    c.advance(10 * 60_000);
    expect(limiter.take('op-1').allowed).toBe(true);
    expect(limiter.take('op-1').allowed).toBe(true);
    expect(limiter.take('op-1').allowed).toBe(false);
  });

  it('keeps users apart', () => {
    const c = clock();
    const limiter = new SubmissionRateLimiter({ capacity: 1, perMinute: 1, now: c.now });
    expect(limiter.take('op-1').allowed).toBe(true);
    expect(limiter.take('op-1').allowed).toBe(false);
    expect(limiter.take('op-2').allowed).toBe(true);
  });

  it('consume throws 429 rate_limited with a Retry-After header', () => {
    const c = clock();
    const limiter = new SubmissionRateLimiter({ capacity: 1, perMinute: 2, now: c.now });
    limiter.consume('op-1');
    try {
      limiter.consume('op-1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      const err = e as ApiError;
      expect(err.getStatus()).toBe(429);
      expect(err.getResponse()).toMatchObject({ error: 'rate_limited' });
      expect(err.headers).toEqual({ 'Retry-After': '30' });
    }
  });
});
