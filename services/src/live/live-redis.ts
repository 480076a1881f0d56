import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

/** Redis clients of the socket.io adapter: one publishes, one subscribes. */
export interface LiveRedis {
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

export const LIVE_REDIS = Symbol('LIVE_REDIS');

/**
 * Connects the socket.io Redis adapter's clients. With it, every `/live` namespace of every
 * process on that Redis shares rooms and broadcasts. `key` is the deployment's prefix: two
 * deployments on one Redis must not hear each other's broadcasts (proposals name people and numbers).
 */
export async function connectLiveRedis(url: string, key: string): Promise<LiveRedis> {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  // Without listeners a lost connection would throw; the client reconnects by itself.
  pub.on('error', () => undefined);
  sub.on('error', () => undefined);
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    adapter: createAdapter(pub, sub, { key: `${key}:socket.io` }),
    async close() {
      await Promise.all([pub.quit().catch(() => undefined), sub.quit().catch(() => undefined)]);
    },
  };
}
