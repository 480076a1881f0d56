import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/api-error';
import { SubmissionRateLimiter } from './submission-rate-limiter';

async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof ApiError) return `${err.getStatus()} ${err.headers?.['Retry-After']}`;
    throw err;
  }
}

describe('SubmissionRateLimiter', () => {
  it('allows `perMinute` submissions per user in a minute, then 429 with Retry-After', async () => {
    const limiter = new SubmissionRateLimiter(undefined, 5);
    for (let i = 0; i < 5; i++) expect(await statusOf(limiter.consume('op-1'))).toBe('ok');
    expect(await statusOf(limiter.consume('op-1'))).toMatch(/^429 (60|59)$/);
    expect(await statusOf(limiter.consume('op-2'))).toBe('ok');
  });
});
