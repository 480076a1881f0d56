import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error';
import { isRefusal, retryAfterSeconds } from './counters';

/**
 * A per-key budget of requests (a user's submissions, reads, dry runs): `consume` takes one or
 * throws 429 with Retry-After, in the API's error shape.
 */
export class RequestLimit {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly code: string,
    private readonly message: (seconds: number) => string,
  ) {}

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      const seconds = retryAfterSeconds(err);
      throw new ApiError(429, this.code, this.message(seconds), undefined, { 'Retry-After': String(seconds) });
    }
  }
}
