import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/api-error';
import { delaySeconds, LoginThrottle, type LoginThrottleOptions } from './login-throttle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds of Retry-After when refused, or 0 when the attempt may go on (and is then failed). */
async function tryFail(throttle: LoginThrottle, username: string, ip: string): Promise<number> {
  try {
    const attempt = await throttle.begin(username, ip);
    await attempt.failed();
    return 0;
  } catch (err) {
    if (err instanceof ApiError && err.getStatus() === 429) return Number(err.headers?.['Retry-After']);
    throw err;
  }
}

const small: LoginThrottleOptions = {
  perUserAddress: { free: 3, windowSeconds: 3600, maxDelaySeconds: 300 },
  perAddress: { free: 1000, windowSeconds: 900, maxDelaySeconds: 60 },
  perUser: { free: 1000, windowSeconds: 3600, maxDelaySeconds: 300 },
};

describe('LoginThrottle: growing delays instead of lockouts', () => {
  it('delays are 1, 2, 4 … seconds past the free failures, up to the cap', () => {
    expect([1, 2, 3, 4, 10, 40].map((n) => delaySeconds(n, 300))).toEqual([1, 2, 4, 8, 300, 300]);
  });

  it('lets the free failures through, then one attempt per growing delay', async () => {
    const throttle = new LoginThrottle(undefined, small);
    for (let i = 0; i < 3; i++) expect(await tryFail(throttle, 'budi', '203.0.113.1')).toBe(0);
    expect(await tryFail(throttle, 'budi', '203.0.113.1')).toBe(0); // 4th: opens a 1 s gate
    const wait = await tryFail(throttle, 'Budi', '203.0.113.1');
    expect(wait).toBe(1);
    await sleep(1100);
    expect(await tryFail(throttle, 'budi', '203.0.113.1')).toBe(0); // 5th: a 2 s gate
    expect(await tryFail(throttle, 'budi', '203.0.113.1')).toBe(2);
  });

  it('a stranger guessing from elsewhere never locks the owner out', async () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 40; i++) await tryFail(throttle, 'kades.sukadamai', '198.51.100.66');
    expect(await tryFail(throttle, 'kades.sukadamai', '198.51.100.66')).toBeGreaterThan(0);
    const owner = await throttle.begin('kades.sukadamai', '203.0.113.10');
    await owner.succeeded();
  });

  it('a success clears the failures of that username at that address', async () => {
    const throttle = new LoginThrottle(undefined, small);
    for (let i = 0; i < 4; i++) await tryFail(throttle, 'siti', '203.0.113.2');
    expect(await tryFail(throttle, 'siti', '203.0.113.2')).toBeGreaterThan(0);
    await sleep(1100);
    await (await throttle.begin('siti', '203.0.113.2')).succeeded();
    for (let i = 0; i < 3; i++) expect(await tryFail(throttle, 'siti', '203.0.113.2')).toBe(0);
  });

  it('a parallel burst of guesses gets the free checks and one more, the rest wait', async () => {
    const throttle = new LoginThrottle(undefined, small);
    const results = await Promise.all(Array.from({ length: 20 }, () => tryFail(throttle, 'root', '192.0.2.7')));
    expect(results.filter((r) => r === 0)).toHaveLength(4);
  });

  it('one address shared by many (carrier NAT) gets a high budget, then delays, not a block', async () => {
    const throttle = new LoginThrottle(undefined, { ...small, perAddress: { free: 30, windowSeconds: 900, maxDelaySeconds: 60 } });
    // 30 operators behind one address, one typo each: nobody waits.
    for (let i = 0; i < 30; i++) expect(await tryFail(throttle, `operator-${i}`, '100.64.0.1')).toBe(0);
    expect(await tryFail(throttle, 'operator-31', '100.64.0.1')).toBe(0); // opens a 1 s gate for the address
    expect(await tryFail(throttle, 'operator-32', '100.64.0.1')).toBe(1);
    expect(await tryFail(throttle, 'operator-32', '100.64.0.2')).toBe(0);
  });

  it('guessing one username from many addresses is delayed, except where the owner logged in before', async () => {
    const throttle = new LoginThrottle(undefined, { ...small, perUser: { free: 10, windowSeconds: 3600, maxDelaySeconds: 300 } });
    await (await throttle.begin('camat', '203.0.113.50')).succeeded();
    for (let i = 0; i < 11; i++) expect(await tryFail(throttle, 'camat', `198.51.100.${i}`)).toBe(0);
    expect(await tryFail(throttle, 'camat', '198.51.100.200')).toBeGreaterThan(0);
    // The owner's own address is known: no delay there.
    await (await throttle.begin('camat', '203.0.113.50')).succeeded();
  });
});
