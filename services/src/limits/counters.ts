import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createClient } from 'redis';

/**
 * Where the counters of rate limits and login throttles live: in Redis when REDIS_URL is set, so
 * every replica counts against one budget (rate-limiter-flexible's atomic Lua scripts), else in
 * this process's memory.
 *
 * When Redis is down, each limiter falls back to its own in-memory twin (the library's
 * "insurance limiter"): limits keep holding, per process, until Redis is back. Neither fail-open
 * (an attacker who can disturb Redis would get unlimited password guesses) nor fail-closed (a
 * Redis outage would stop every login on election night).
 */
export interface Counters {
  /** A limiter of `points` per `durationSeconds` under `name` (a key prefix of its own). */
  limiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract;
  /** True while the Redis store answers (false without Redis). */
  readonly shared: boolean;
  close(): Promise<void>;
}

/**
 * Key prefix of one deployment in a shared Redis: SUARA_REDIS_PREFIX, else derived from the
 * database the deployment runs on, so two deployments (or two test runs) on one Redis never count
 * together, while the replicas of one deployment always do.
 */
export function deploymentPrefix(configured: string | undefined, deployment: string): string {
  return configured ?? `suara:${createHash('sha256').update(deployment).digest('hex').slice(0, 12)}`;
}

export function memoryCounters(): Counters {
  return {
    limiter: (name, points, duration) => new RateLimiterMemory({ keyPrefix: name, points, duration }),
    shared: false,
    close: async () => undefined,
  };
}

/** Counters in Redis; connects in the background and reconnects by itself. */
export async function redisCounters(url: string, prefix: string, onError: (err: Error) => void): Promise<Counters> {
  // Commands fail at once while disconnected (no offline queue): the in-memory twin takes over
  // instead of a login hanging until Redis returns.
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: (retries) => Math.min(retries * 200, 2_000), connectTimeout: 2_000 } });
  let lastError = '';
  client.on('error', (err: Error) => {
    if (err.message !== lastError) onError(err);
    lastError = err.message;
  });
  client.on('ready', () => (lastError = ''));
  await client.connect().catch((err: Error) => onError(err));
  return {
    limiter: (name, points, duration) =>
      new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        keyPrefix: `${prefix}:${name}`,
        points,
        duration,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
      }),
    get shared() {
      return client.isReady;
    },
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}

/** A refusal by a limiter (as opposed to a store error, which the insurance limiter absorbs). */
export function isRefusal(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes;
}

/** Whole seconds until the limiter allows again, at least 1. */
export const retryAfterSeconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
