import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error';
import { isRefusal, memoryCounters, retryAfterSeconds, type Counters } from '../limits/counters';

/**
 * One budget of failed logins: `free` failures within `windowSeconds`, then every further attempt
 * waits a delay that doubles with each failure (1 s, 2 s, 4 s … up to `maxDelaySeconds`).
 */
export interface FailureBudget {
  free: number;
  windowSeconds: number;
  maxDelaySeconds: number;
}

export interface LoginThrottleOptions {
  /**
   * Failures of one username from one address: guessing one account from one place. The owner,
   * typing badly, gets delays of seconds, never a lockout; a success clears it.
   */
  perUserAddress?: FailureBudget;
  /**
   * Failures from one address, whatever the username: high, because the operators of a whole
   * kabupaten may share one carrier-NAT address on election night and their typos add up.
   */
  perAddress?: FailureBudget;
  /**
   * Failures of one username from every address together (guessing spread over many addresses).
   * Addresses the user logged in from successfully in the last 20 days are exempt, so a stranger
   * elsewhere cannot slow the owner down.
   */
  perUser?: FailureBudget;
}

const DEFAULTS: Required<LoginThrottleOptions> = {
  perUserAddress: { free: 5, windowSeconds: 3600, maxDelaySeconds: 300 },
  perAddress: { free: 100, windowSeconds: 900, maxDelaySeconds: 60 },
  perUser: { free: 50, windowSeconds: 3600, maxDelaySeconds: 300 },
};

/** How long an address where the user logged in stays known (under the 24.8 days a Node timer can hold). */
const KNOWN_ADDRESS_SECONDS = 20 * 86_400;

export interface LoginAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

interface Budget {
  key: string;
  failures: RateLimiterAbstract;
  gate: RateLimiterAbstract;
  limits: FailureBudget;
}

/**
 * Throttles failed logins with growing delays instead of lockouts, per (username, address), per
 * address and per username, with its counters in Redis when there is one (shared by every
 * replica) or in memory. Each attempt counts as a failure from the moment it starts until it
 * succeeds, and an attempt past the free ones must pass a gate that opens once per delay
 * (atomic in the store): a burst of parallel guesses gets one real check per delay, not one each.
 */
export class LoginThrottle {
  private readonly budgets: Record<keyof LoginThrottleOptions, { failures: RateLimiterAbstract; gate: RateLimiterAbstract; limits: FailureBudget }>;
  private readonly known: RateLimiterAbstract;

  constructor(counters: Counters = memoryCounters(), options: LoginThrottleOptions = {}) {
    const make = (name: keyof LoginThrottleOptions) => {
      const limits = options[name] ?? DEFAULTS[name];
      return {
        limits,
        // Points far above any count: this limiter only counts, the gate refuses.
        failures: counters.limiter(`login-fail-${name}`, 1_000_000, limits.windowSeconds),
        gate: counters.limiter(`login-gate-${name}`, 1, limits.maxDelaySeconds),
      };
    };
    this.budgets = { perUserAddress: make('perUserAddress'), perAddress: make('perAddress'), perUser: make('perUser') };
    this.known = counters.limiter('login-known', 1_000_000, KNOWN_ADDRESS_SECONDS);
  }

  /**
   * Starts a login attempt: throws 429 `too_many_attempts` with Retry-After while a delay runs;
   * otherwise the attempt counts as a failure until `succeeded()`.
   */
  async begin(username: string, ip: string | undefined): Promise<LoginAttempt> {
    const user = username.trim().toLowerCase();
    const address = ip ?? 'unknown';
    const knownAddress = (await this.known.get(`${user}|${address}`))?.consumedPoints ?? 0;
    const budgets: Budget[] = [
      { key: `${user}|${address}`, ...this.budgets.perUserAddress },
      { key: address, ...this.budgets.perAddress },
      ...(knownAddress > 0 ? [] : [{ key: user, ...this.budgets.perUser }]),
    ];
    const counted: Budget[] = [];
    try {
      for (const b of budgets) {
        const failures = (await b.failures.consume(b.key)).consumedPoints;
        counted.push(b);
        if (failures > b.limits.free) await b.gate.consume(b.key, 1, { customDuration: delaySeconds(failures - b.limits.free, b.limits.maxDelaySeconds) });
      }
    } catch (err) {
      // A refused attempt is not a failure: it checked no password.
      await Promise.all(counted.map((b) => b.failures.reward(b.key)));
      if (!isRefusal(err)) throw err;
      const seconds = retryAfterSeconds(err);
      throw new ApiError(429, 'too_many_attempts', `Terlalu banyak percobaan masuk yang gagal; coba lagi dalam ${waitText(seconds)}`, undefined, {
        'Retry-After': String(seconds),
      });
    }
    let ended = false;
    return {
      failed: async () => {
        ended = true;
      },
      succeeded: async () => {
        if (ended) return;
        ended = true;
        const [userAddress, perAddress, perUser] = [this.budgets.perUserAddress, this.budgets.perAddress, this.budgets.perUser];
        await Promise.all([
          userAddress.failures.delete(`${user}|${address}`),
          userAddress.gate.delete(`${user}|${address}`),
          // One good login must not reset what an address or a username collected from others.
          perAddress.failures.reward(address),
          knownAddress > 0 ? Promise.resolve() : perUser.failures.reward(user),
          this.known.consume(`${user}|${address}`),
        ]);
      },
    };
  }
}

/** 1, 2, 4, … seconds for the 1st, 2nd, 3rd … failure past the free ones, up to the cap. */
export function delaySeconds(pastFree: number, maxSeconds: number): number {
  return Math.min(maxSeconds, 2 ** Math.min(30, pastFree - 1));
}

const waitText = (seconds: number) => (seconds < 60 ? `${seconds} detik` : `${Math.ceil(seconds / 60)} menit`);
