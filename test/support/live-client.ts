import { io, type Socket } from 'socket.io-client';
import {
  comparePositions, isDapilTally, LIVE_NAMESPACE, type Ballot, type LiveClientToServerEvents, type LiveServerToClientEvents, type SubscribeAck,
  type TallyView,
} from '@suara/contracts';

export type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Connects to `/live` with a token; resolves on connect, rejects with the server's refusal. */
export function connectLive(url: string, token: string | undefined, opts: { reconnection?: boolean } = {}): Promise<LiveSocket> {
  const socket: LiveSocket = io(url + LIVE_NAMESPACE, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: opts.reconnection ?? false,
    forceNew: true,
    timeout: 20_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(err);
    });
  });
}

/** The refusal of a connection attempt: the error's `data` ({error, message}) or its message. */
export async function connectRefusal(url: string, token: string | undefined): Promise<{ error?: string; message: string }> {
  try {
    const s = await connectLive(url, token);
    s.close();
  } catch (err) {
    const e = err as Error & { data?: { error?: string; message?: string } };
    return { error: e.data?.error, message: e.data?.message ?? e.message };
  }
  throw new Error('the connection was accepted');
}

export function subscribe(socket: LiveSocket, regionCode: string, ballot: Ballot, timeoutMs = 30_000): Promise<SubscribeAck> {
  return socket.timeout(timeoutMs).emitWithAck('subscribe', { regionCode, ballot });
}

/**
 * A dashboard-like watcher of one region: it subscribes on every (re)connect, like the dashboard,
 * and keeps the newest tally it saw (ack or push), by position.
 */
export class TallyWatcher {
  latest: TallyView | undefined;
  acks = 0;
  pushes = 0;
  /** Positions of pushes in arrival order (they must never go back). */
  readonly pushPositions: string[] = [];

  constructor(readonly socket: LiveSocket, readonly regionCode: string, readonly ballot: Ballot) {
    socket.on('tally', (t) => {
      if (isDapilTally(t) || t.region.code !== regionCode || t.ballot !== ballot) return;
      this.pushes++;
      this.pushPositions.push(t.position);
      this.see(t);
    });
    socket.on('connect', () => void this.resubscribe());
  }

  static async start(url: string, token: string, regionCode: string, ballot: Ballot, opts: { reconnection?: boolean } = {}): Promise<TallyWatcher> {
    const w = new TallyWatcher(await connectLive(url, token, opts), regionCode, ballot);
    await w.resubscribe();
    return w;
  }

  async resubscribe(): Promise<void> {
    const ack = await subscribe(this.socket, this.regionCode, this.ballot).catch(() => undefined);
    if (ack?.ok) {
      this.acks++;
      this.see(ack.tally);
    }
  }

  close() {
    this.socket.close();
  }

  private see(t: TallyView) {
    if (!this.latest || comparePositions(t.position, this.latest.position) >= 0) this.latest = t;
  }
}
