import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/api-error';
import { LoginThrottle } from './login-throttle';

const MIN = 60_000;
function clock(start = 5_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('LoginThrottle (sliding window of failures)', () => {
  it('blocks a username after 5 failures inside 15 minutes, from any IP', () => {
    const c = clock();
    const throttle = new LoginThrottle({ now: c.now });
    for (let i = 0; i < 4; i++) {
      throttle.recordFailure('Budi', `10.0.0.${i}`);
      c.advance(MIN);
    }
    expect(throttle.retryAfterSeconds('budi', '10.9.9.9')).toBe(0);
    throttle.recordFailure('budi', '10.0.0.9');
    // The first failure was 4 minutes ago: it leaves the window in 11 minutes.
    expect(throttle.retryAfterSeconds('BUDI', '10.9.9.9')).toBe(11 * 60);
    expect(throttle.retryAfterSeconds('siti', '10.9.9.9')).toBe(0);
  });

  it('unblocks when failures slide out of the window', () => {
    const c = clock();
    const throttle = new LoginThrottle({ now: c.now });
    for (let i = 0; i < 5; i++) throttle.recordFailure('budi', undefined);
    expect(throttle.retryAfterSeconds('budi', undefined)).toBe(15 * 60);
    c.advance(15 * MIN);
    expect(throttle.retryAfterSeconds('budi', undefined)).toBe(0);
  });

  it('blocks an IP that fails across many usernames', () => {
    const c = clock();
    const throttle = new LoginThrottle({ maxPerIp: 5, now: c.now });
    for (let i = 0; i < 5; i++) throttle.recordFailure(`user${i}`, '203.0.113.7');
    expect(throttle.retryAfterSeconds('someone-else', '203.0.113.7')).toBeGreaterThan(0);
    expect(throttle.retryAfterSeconds('someone-else', '203.0.113.8')).toBe(0);
  });

  it('allows 20 failures per IP by default (shared carrier NAT)', () => {
    const throttle = new LoginThrottle({ now: clock().now });
    for (let i = 0; i < 19; i++) throttle.recordFailure(`user${i}`, '203.0.113.7');
    expect(throttle.retryAfterSeconds('x', '203.0.113.7')).toBe(0);
    throttle.recordFailure('user19', '203.0.113.7');
    expect(throttle.retryAfterSeconds('x', '203.0.113.7')).toBeGreaterThan(0);
  });

  it('a success clears the username but not the IP', () => {
    const c = clock();
    const throttle = new LoginThrottle({ maxPerIp: 5, now: c.now });
    for (let i = 0; i < 4; i++) throttle.recordFailure('budi', '203.0.113.7');
    throttle.recordSuccess('budi');
    throttle.recordFailure('budi', '203.0.113.8');
    expect(throttle.retryAfterSeconds('budi', '203.0.113.8')).toBe(0);
    throttle.recordFailure('siti', '203.0.113.7');
    expect(throttle.retryAfterSeconds('siti', '203.0.113.7')).toBeGreaterThan(0);
  });

  it('assertAllowed throws 429 too_many_attempts with Retry-After', () => {
    const throttle = new LoginThrottle({ now: clock().now });
    for (let i = 0; i < 5; i++) throttle.recordFailure('budi', '1.2.3.4');
    try {
      throttle.assertAllowed('budi', '1.2.3.4');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).getStatus()).toBe(429);
      expect((e as ApiError).getResponse()).toMatchObject({ error: 'too_many_attempts' });
      expect((e as ApiError).headers).toEqual({ 'Retry-After': String(15 * 60) });
    }
  });
});

describe('LoginThrottle attempts in flight', () => {
  it('counts attempts still being checked, so a parallel burst cannot exceed the limit', () => {
    const throttle = new LoginThrottle({ now: clock().now });
    const attempts = Array.from({ length: 5 }, () => throttle.begin('budi', '1.2.3.4'));
    expect(() => throttle.begin('budi', '1.2.3.5')).toThrow(ApiError);
    expect(throttle.retryAfterSeconds('budi', undefined)).toBe(1);
    attempts.forEach((a) => a.failed());
    expect(throttle.retryAfterSeconds('budi', undefined)).toBe(15 * 60);
  });

  it('a successful attempt frees its slot and clears the username', () => {
    const throttle = new LoginThrottle({ now: clock().now });
    for (let i = 0; i < 4; i++) throttle.begin('budi', undefined).failed();
    const ok = throttle.begin('budi', undefined);
    ok.succeeded();
    ok.failed(); // ending twice changes nothing
    expect(throttle.retryAfterSeconds('budi', undefined)).toBe(0);
    for (let i = 0; i < 4; i++) throttle.begin('budi', undefined).failed();
    expect(throttle.retryAfterSeconds('budi', undefined)).toBe(0);
  });
});
