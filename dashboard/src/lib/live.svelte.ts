import { io, type Socket } from 'socket.io-client';
import type { Ballot, LiveClientToServerEvents, LiveServerToClientEvents, QuickCountView, TallyView } from '@suara/contracts';
import { comparePositions } from '@suara/contracts/position';

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

export interface LiveHandlers {
  tally(t: TallyView): void;
  /** `pushed` is false for the snapshot in a subscription's acknowledgement. */
  quickcount(q: QuickCountView, pushed: boolean): void;
  election(info: { mode: 'simulation' | 'real'; activeElectionId: string }): void;
  /** The server refused the token: the session is over. */
  unauthorized(): void;
}

/**
 * The `/live` socket of one screen. socket.io reconnects by itself; on every (re)connect the
 * current subscription is sent again, and its acknowledgement carries the tally as it is now.
 */
export class LiveConnection {
  connected = $state(false);
  everConnected = $state(false);
  private socket: LiveSocket;
  private current: { regionCode: string; ballot: Ballot } | null = null;

  constructor(token: string, private readonly handlers: LiveHandlers) {
    this.socket = io(`${location.origin}/live`, { auth: { token }, transports: ['websocket', 'polling'] });
    this.socket.on('connect', () => {
      this.connected = true;
      this.everConnected = true;
      this.resubscribe();
    });
    this.socket.on('disconnect', () => (this.connected = false));
    this.socket.on('connect_error', (err) => {
      this.connected = false;
      // The gateway refuses a missing, expired or revoked token with the code "unauthenticated".
      const code = (err as Error & { data?: { error?: string } }).data?.error ?? err.message;
      if (/^unauthenticated$|unauthori[sz]ed/i.test(code)) handlers.unauthorized();
    });
    // This client subscribes to region rooms only (dapil tallies are read by `DapilView`).
    this.socket.on('tally', (t) => { if (!('dapil' in t)) handlers.tally(t); });
    this.socket.on('quickcount', (q) => handlers.quickcount(q, true));
    this.socket.on('election', (info) => handlers.election(info));
    // Logged out elsewhere, disabled, password reset or expired: the server ends the socket.
    this.socket.on('session_ended', () => handlers.unauthorized());
  }

  subscribe(regionCode: string, ballot: Ballot): void {
    if (this.current && this.socket.connected) this.socket.emit('unsubscribe', this.current);
    this.current = { regionCode, ballot };
    if (this.socket.connected) this.resubscribe();
  }

  private resubscribe(): void {
    const req = this.current;
    if (!req) return;
    this.socket.emit('subscribe', req, (res) => {
      if (res?.ok && !('dapil' in res.tally)) this.handlers.tally(res.tally);
    });
    this.socket.emit('subscribeQuickcount', { ballot: req.ballot }, (res) => {
      if (res?.ok && res.view) this.handlers.quickcount(res.view, false);
    });
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}

/** Keeps the newer of two snapshots; pushes that arrive late (older position) are ignored. */
export function newer<T extends { position: string }>(current: T | null, incoming: T): T {
  if (!current) return incoming;
  return comparePositions(incoming.position, current.position) >= 0 ? incoming : current;
}
