import type { AuthUser } from '../identity/auth.decorators';
import type { Session } from '../identity/token.service';

/** What a tracked socket needs: its token, the user it was verified as, and a way to end it. */
export interface SessionSocket {
  id: string;
  data: { user?: AuthUser; token?: string };
  /** Tells the client why (event `session_ended`) and disconnects it; no reconnection follows. */
  end(reason: SessionEnd): void;
}

export interface SessionEnd {
  error: 'unauthenticated';
  message: string;
}

export const SESSION_ENDED: SessionEnd = { error: 'unauthenticated', message: 'Sesi berakhir (keluar, dinonaktifkan, kata sandi diganti atau kedaluwarsa); silakan masuk lagi' };

export interface SocketSessionsOptions {
  /** Verifies a token as the HTTP guard does (the user as stored now); throws when it no longer holds. */
  verify(token: string): Promise<Session>;
  /** Every socket is checked again this often, whatever happened (a lost notification). Default 5 s. */
  sweepMs?: number;
  /** Errors other than a refused token (the database away): the socket stays, checked again later. */
  isRefusal(err: unknown): boolean;
  now?: () => number;
}

/**
 * The sessions behind open sockets. A socket is verified at connect and again: before each event
 * it sends (`allows`), at once when its user changes in any process (`userChanged`, fed by the
 * users_changed notification: disabled, password reset, tokens revoked, logged out), at the
 * token's expiry (a timer), and every few seconds in a sweep. A session that no longer holds is
 * ended: the client is told and disconnected.
 */
export class SocketSessions {
  private readonly sockets = new Map<string, { socket: SessionSocket; expiry: NodeJS.Timeout }>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly sweep: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: SocketSessionsOptions) {
    this.now = options.now ?? Date.now;
    this.sweep = setInterval(() => void this.checkAll(), options.sweepMs ?? 5_000);
    this.sweep.unref();
  }

  /** Starts watching a socket whose token was just verified as `session`. */
  track(socket: SessionSocket, session: Session): void {
    const userId = session.user.id;
    // Node timers overflow past 2^31 ms (about 24.8 days); a token lives hours.
    const expiry = setTimeout(() => this.end(socket.id), Math.min(2 ** 31 - 1, Math.max(0, session.claims.exp * 1000 - this.now())));
    expiry.unref();
    this.sockets.set(socket.id, { socket, expiry });
    const ids = this.byUser.get(userId) ?? new Set<string>();
    ids.add(socket.id);
    this.byUser.set(userId, ids);
  }

  untrack(socketId: string): void {
    const entry = this.sockets.get(socketId);
    if (!entry) return;
    clearTimeout(entry.expiry);
    this.sockets.delete(socketId);
    const userId = entry.socket.data.user?.id;
    const ids = userId ? this.byUser.get(userId) : undefined;
    ids?.delete(socketId);
    if (userId && ids?.size === 0) this.byUser.delete(userId);
  }

  /** Whether the socket's session still holds; ends it when not. Refreshes `data.user` (role or scope may have changed). */
  async allows(socketId: string): Promise<boolean> {
    const entry = this.sockets.get(socketId);
    if (!entry) return false;
    const { socket } = entry;
    try {
      socket.data.user = (await this.options.verify(socket.data.token ?? '')).user;
      return true;
    } catch (err) {
      if (!this.options.isRefusal(err)) return true;
      this.end(socketId);
      return false;
    }
  }

  /** A user changed somewhere: check that user's sockets now. */
  userChanged(userId: string): void {
    for (const id of [...(this.byUser.get(userId) ?? [])]) void this.allows(id);
  }

  get size(): number {
    return this.sockets.size;
  }

  close(): void {
    clearInterval(this.sweep);
    for (const id of [...this.sockets.keys()]) this.untrack(id);
  }

  private async checkAll(): Promise<void> {
    await Promise.all([...this.sockets.keys()].map((id) => this.allows(id)));
  }

  private end(socketId: string): void {
    const entry = this.sockets.get(socketId);
    if (!entry) return;
    this.untrack(socketId);
    entry.socket.end(SESSION_ENDED);
  }
}
