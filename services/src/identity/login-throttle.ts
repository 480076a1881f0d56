import { ApiError } from '../http/api-error';

export interface LoginThrottleOptions {
  /** Failures per username inside the window before logins for it are refused. Default 5. */
  maxPerUsername?: number;
  /**
   * Failures per client IP inside the window before logins from it are refused. Default 20: village
   * operators often share one carrier-NAT address, and five typos among them must not lock a whole
   * kabupaten out on election night; the per-username limit still stops guessing one account.
   */
  maxPerIp?: number;
  /** Sliding window in milliseconds. Default 15 minutes. */
  windowMs?: number;
  now?: () => number;
}

/**
 * Sliding-window throttle of failed logins, per username and per client IP (in memory, per
 * process). While a key is blocked every attempt is refused, right password or not, so guessing
 * cannot continue.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  /** Attempts being checked right now: they count as failures until they end, so a burst of parallel guesses cannot all slip in. */
  private readonly inFlight = new Map<string, number>();
  private readonly maxPerUsername: number;
  private readonly maxPerIp: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxPerUsername = options.maxPerUsername ?? 5;
    this.maxPerIp = options.maxPerIp ?? 20;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until a login for this username from this IP may be tried again; 0 when it may now. */
  retryAfterSeconds(username: string, ip: string | undefined): number {
    const now = this.now();
    const waits = [this.wait(userKey(username), this.maxPerUsername, now)];
    if (ip) waits.push(this.wait(ipKey(ip), this.maxPerIp, now));
    const ms = Math.max(...waits);
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  /** Throws 429 `too_many_attempts` with Retry-After while the username or IP is blocked. */
  assertAllowed(username: string, ip: string | undefined): void {
    const seconds = this.retryAfterSeconds(username, ip);
    if (seconds > 0) {
      const minutes = Math.ceil(seconds / 60);
      throw new ApiError(429, 'too_many_attempts', `Terlalu banyak percobaan masuk yang gagal; coba lagi dalam ${minutes} menit`, undefined, {
        'Retry-After': String(seconds),
      });
    }
  }

  /**
   * Starts a login attempt: throws 429 while blocked, otherwise reserves a failure slot until the
   * returned attempt is ended with `failed()` or `succeeded()` (exactly once).
   */
  begin(username: string, ip: string | undefined): LoginAttempt {
    this.assertAllowed(username, ip);
    const keys = [userKey(username), ...(ip ? [ipKey(ip)] : [])];
    for (const k of keys) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    let ended = false;
    const end = () => {
      if (ended) return false;
      ended = true;
      for (const k of keys) {
        const n = (this.inFlight.get(k) ?? 1) - 1;
        if (n > 0) this.inFlight.set(k, n);
        else this.inFlight.delete(k);
      }
      return true;
    };
    return {
      failed: () => end() && this.recordFailure(username, ip),
      succeeded: () => end() && this.recordSuccess(username),
    };
  }

  recordFailure(username: string, ip: string | undefined): void {
    const now = this.now();
    this.push(userKey(username), this.maxPerUsername, now);
    if (ip) this.push(ipKey(ip), this.maxPerIp, now);
  }

  /** A successful login clears the username's failures (not the IP's: one good account must not reset a guessing IP). */
  recordSuccess(username: string): void {
    this.failures.delete(userKey(username));
  }

  private wait(key: string, max: number, now: number): number {
    const list = this.recent(key, now);
    if (list.length >= max) return list[list.length - max] + this.windowMs - now;
    // Blocked only by attempts still being checked: they end within a second or so.
    return list.length + (this.inFlight.get(key) ?? 0) >= max ? 1000 : 0;
  }

  private push(key: string, max: number, now: number): void {
    if (!this.failures.has(key) && this.failures.size > 50_000) this.evictExpired(now);
    const list = this.recent(key, now);
    list.push(now);
    // Only the newest `max` failures decide whether the key is blocked.
    if (list.length > max) list.splice(0, list.length - max);
    this.failures.set(key, list);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  private evictExpired(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
  }
}

export interface LoginAttempt {
  failed(): void;
  succeeded(): void;
}

const userKey = (username: string) => `u:${username.trim().toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
