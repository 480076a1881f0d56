import { ApiError } from '../http/api-error';

export interface SubmissionRateLimitOptions {
  /** Burst size: how many submissions a user may make at once. Default 60. */
  capacity?: number;
  /** Sustained rate: tokens added per minute. Default 60. */
  perMinute?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one submission is allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket { tokens: number; at: number }

/**
 * Per-user token bucket for result submissions (in memory, per process): a burst of `capacity`,
 * refilled at `perMinute`. Call `consume(user.id)` before handling a submission.
 */
export class SubmissionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly now: () => number;

  constructor(options: SubmissionRateLimitOptions = {}) {
    this.capacity = options.capacity ?? 60;
    this.perMs = (options.perMinute ?? 60) / 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `userId` if there is one. */
  take(userId: string): RateDecision {
    const now = this.now();
    const bucket = this.refill(userId, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Takes one token or throws 429 `rate_limited` with a Retry-After header. */
  consume(userId: string): void {
    const decision = this.take(userId);
    if (!decision.allowed) {
      throw new ApiError(429, 'rate_limited', `Terlalu banyak kiriman; coba lagi dalam ${decision.retryAfterSeconds} detik`, undefined, {
        'Retry-After': String(decision.retryAfterSeconds),
      });
    }
  }

  private refill(userId: string, now: number): Bucket {
    const existing = this.buckets.get(userId);
    if (!existing) {
      if (this.buckets.size > 10_000) this.evictFull(now);
      const fresh = { tokens: this.capacity, at: now };
      this.buckets.set(userId, fresh);
      return fresh;
    }
    existing.tokens = Math.min(this.capacity, existing.tokens + Math.max(0, now - existing.at) * this.perMs);
    existing.at = now;
    return existing;
  }

  // A bucket that has refilled completely carries no information; dropping it bounds memory.
  private evictFull(now: number): void {
    for (const [id, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.capacity) this.buckets.delete(id);
    }
  }
}
