import type { Counters } from '../limits/counters';
import { memoryCounters } from '../limits/counters';
import { RequestLimit } from '../limits/request-limit';

/**
 * Result submissions one operator may make per minute (SUARA_SUBMIT_RATE_PER_MIN), counted across
 * every replica when Redis is configured. `consume(user.id)` before handling a submission.
 */
export class SubmissionRateLimiter extends RequestLimit {
  constructor(counters: Counters = memoryCounters(), perMinute = 60) {
    super(counters.limiter('submit', perMinute, 60), 'rate_limited', (s) => `Terlalu banyak kiriman; coba lagi dalam ${s} detik`);
  }
}
