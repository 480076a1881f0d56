import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config';
import { ApiError } from '../http/api-error';
import { memoryCounters } from './counters';
import { RequestLimits } from './limits.module';

async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof ApiError) return `${err.getStatus()} ${err.headers?.['Retry-After']}`;
    throw err;
  }
}

const config = { readRatePerMinute: 100, validateRatePerMinute: 100, submitRatePerMinute: 5, photoRatePerMinute: 2 } as AppConfig;

describe('RequestLimits', () => {
  it('allows `perMinute` submissions per user in a minute, then 429 with Retry-After', async () => {
    const limiter = new RequestLimits(memoryCounters(), config).submissions;
    for (let i = 0; i < 5; i++) expect(await statusOf(limiter.consume('op-1'))).toBe('ok');
    expect(await statusOf(limiter.consume('op-1'))).toMatch(/^429 (60|59)$/);
    expect(await statusOf(limiter.consume('op-2'))).toBe('ok');
  });

  it('keeps one budget apart from another', async () => {
    const limits = new RequestLimits(memoryCounters(), config);
    for (let i = 0; i < 2; i++) await limits.photos.consume('op-1');
    expect(await statusOf(limits.photos.consume('op-1'))).toMatch(/^429/);
    expect(await statusOf(limits.submissions.consume('op-1'))).toBe('ok');
  });
});
