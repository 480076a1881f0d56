import { HttpException, Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayInit,
} from '@nestjs/websockets';
import {
  desaOf, Ballot, DapilCode, LIVE_NAMESPACE, PARTY_BALLOTS, RegionCode, roleRoom, scopeRoom, type LiveClientToServerEvents, type LiveServerToClientEvents, type LiveTally,
  type DapilTallyView, type ProposalView, type QuickCountView, type SubscribeAck, type SubscribeDapilAck, type TallyView,
} from '@suara/contracts';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config';
import { ElectionService } from '../election/election.service';
import type { AuthUser } from '../identity/auth.decorators';
import { TokenError } from '../identity/token';
import { TokenService } from '../identity/token.service';
import { UserRepository } from '../identity/user.repository';
import { DapilTalliesService } from '../projections/dapil-tallies.service';
import { TalliesService } from '../projections/tallies.service';
import { TallyChangeFeed } from '../projections/tally-changes';
import { LIVE_REDIS, type LiveRedis } from './live-redis';
import { QuickcountService } from '../quickcount/quickcount.service';
import { affects, affectsQuickcount, LiveRooms, quickcountRoomName, roomName, type QuickcountRoomKey, type RoomKey } from './live-rooms';
import { SocketSessions } from './socket-sessions';
import { livePushes, livePushLatency } from '../metrics/metrics';

interface SocketData {
  user: AuthUser;
  /** The handshake's token, checked again before every event and whenever its user changes. */
  token: string;
}

/** Rooms one socket may be in: a dashboard shows a few tallies at once; 500 subscriptions are an attack on memory. */
export const MAX_ROOMS_PER_SOCKET = 50;
type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, SocketData>;

const SubscribeBody = z.object({ regionCode: RegionCode, ballot: Ballot });
const SubscribeDapilBody = z.object({ dapilCode: DapilCode, ballot: Ballot.refine((b) => PARTY_BALLOTS.includes(b)) });
const UnsubscribeBody = z.union([SubscribeBody, SubscribeDapilBody]);
const QuickcountBody = z.object({ ballot: Ballot });

type QuickcountAck = { ok: true; view: QuickCountView | null } | { ok: false; error: string; message: string };

/** How often the deployment (phase, active election) is looked at, to tell clients when it changes. */
const DEPLOYMENT_POLL_MS = 2000;

type Refusal = Extract<SubscribeAck, { ok: false }>;
const refuse = (error: string, message: string): Refusal => ({ ok: false, error, message });
const TOO_MANY_ROOMS = refuse('too_many_rooms', `Paling banyak ${MAX_ROOMS_PER_SOCKET} langganan per koneksi; berhenti berlangganan yang tidak dipakai`);

function pushed(kind: 'tally' | 'quickcount', latencyMs: number): void {
  livePushes.inc({ kind });
  livePushLatency.observe({ kind }, latencyMs / 1000);
}

/** An Error that socket.io hands to the client's `connect_error` with `data`. */
function connectError(error: string, message: string): Error {
  return Object.assign(new Error(error), { data: { error, message } });
}

/**
 * `/live`: live tallies over socket.io (API.md). The handshake must carry a valid token
 * (`auth: {token}`); `subscribe` answers with the current tally and joins the room of that region
 * and ballot; committed changes then reach the room as coalesced `tally` pushes.
 *
 * Each process pushes to its own members (emits are `local`), fed by the change feed (its own
 * projector, or NOTIFY from the process that projects): a room's reads, joins and pushes are then
 * serialised in one place, which is what keeps `position` from going back. With REDIS_URL the
 * namespace runs on the Redis adapter for what must reach one user's sockets on any process
 * (correction proposals); tally pushes never go through it.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() private nsp!: LiveNamespace;
  private readonly log = new Logger('live');
  private rooms?: LiveRooms<RoomKey, LiveTally>;
  private quickcountRooms?: LiveRooms<QuickcountRoomKey, QuickCountView>;
  private unsubscribeFeed?: () => void;
  private deploymentTimer?: NodeJS.Timeout;
  private deployment?: { mode: 'simulation' | 'real'; activeElectionId: string };
  private sessions?: SocketSessions;
  private offUserChanged?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LIVE_REDIS) private readonly redis: LiveRedis | undefined,
    private readonly tokens: TokenService,
    private readonly users: UserRepository,
    private readonly tallies: TalliesService,
    private readonly dapilTallies: DapilTalliesService,
    private readonly feed: TallyChangeFeed,
    private readonly election: ElectionService,
    private readonly quickcount: QuickcountService,
  ) {}

  afterInit(nsp: LiveNamespace): void {
    this.nsp = nsp;
    // Also without the live role: a command process broadcasts the proposals it takes through Redis.
    if (this.redis) nsp.server.adapter(this.redis.adapter);
    if (!this.config.roles.includes('live')) {
      nsp.use((_socket, next) => next(connectError('unavailable', 'Pembaruan langsung tidak dilayani proses ini')));
      return;
    }
    const sessions = new SocketSessions({ verify: (token) => this.tokens.session(token), isRefusal: (err) => err instanceof TokenError });
    this.sessions = sessions;
    this.offUserChanged = this.users.onUserChanged((id) => sessions.userChanged(id));
    nsp.use((socket, next) => {
      this.authenticate(socket as LiveSocket).then(() => next(), (err: Error) => next(err));
    });
    const memberCount = (room: string) => this.nsp.adapter.rooms.get(room)?.size ?? 0;
    const rooms = new LiveRooms<RoomKey, LiveTally>({
      name: roomName,
      affects,
      load: (key, atLeast) =>
        key.dapil
          ? this.dapilTallies.getDapilTally(key.electionId, key.regionCode, key.ballot, atLeast)
          : this.tallies.getTally(key.electionId, key.regionCode, key.ballot, atLeast),
      emit: (room, tally) => this.nsp.local.to(room).emit('tally', tally),
      memberCount,
      onError: (err) => this.log.warn(`tally push failed: ${String(err)}`),
      onPush: (ms) => pushed('tally', ms),
    });
    const quickcountRooms = new LiveRooms<QuickcountRoomKey, QuickCountView>({
      name: quickcountRoomName,
      affects: affectsQuickcount,
      load: (key) => this.quickcountView(key.ballot),
      emit: (room, view) => this.nsp.local.to(room).emit('quickcount', view),
      memberCount,
      intervalMs: 500,
      onError: (err) => this.log.warn(`quick count push failed: ${String(err)}`),
      onPush: (ms) => pushed('quickcount', ms),
    });
    this.rooms = rooms;
    this.quickcountRooms = quickcountRooms;
    this.nsp.adapter.on('leave-room', (room: string) => {
      rooms.release(room);
      quickcountRooms.release(room);
    });
    void this.feed
      .onChange((change) => {
        rooms.changed(change);
        quickcountRooms.changed(change);
      })
      .then((off) => (this.unsubscribeFeed = off));
    void this.watchDeployment();
    // A change made through this process is told at once; one made elsewhere at the next poll.
    this.election.onDeploymentChange((d) => this.announce({ mode: d.phase, activeElectionId: d.activeElectionId }));
    this.deploymentTimer = setInterval(() => void this.watchDeployment(), DEPLOYMENT_POLL_MS);
    this.deploymentTimer.unref();
  }

  /**
   * Tells a proposal (made or answered) to the operators of its TPS and to the verifiers and admins.
   * Not `local`: with REDIS_URL the adapter carries it to the sockets of every process, whichever
   * process took the request (tally pushes stay local, fed by each process's own change feed).
   */
  pushProposal(proposal: ProposalView): void {
    // Neither clients of its own nor Redis to reach others': nobody to tell.
    if (!this.rooms && !this.redis) return;
    this.nsp.to([scopeRoom(desaOf(proposal.tpsCode)), scopeRoom(proposal.tpsCode), roleRoom('verifier'), roleRoom('admin')]).emit('proposal', proposal);
  }

  /** `subscribe {regionCode, ballot}` → ack `{ok: true, tally}`, then `tally` pushes. Operators are refused. */
  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    const user = socket.data.user;
    if (!user || user.role === 'operator') return refuse('forbidden', 'Rekap suara hanya untuk verifikator, pemantau dan admin');
    const parsed = SubscribeBody.safeParse(body);
    if (!parsed.success) return refuse('invalid_input', 'regionCode atau ballot tidak valid');
    const { regionCode, ballot } = parsed.data;
    if (!this.tallies.exists(regionCode)) return refuse('not_found', `Wilayah ${regionCode} tidak ditemukan`);
    return this.joinTallyRoom<TallyView>(socket, regionCode, ballot, false);
  }

  /**
   * `subscribeDapil {dapilCode, ballot}` → ack `{ok: true, tally}` (a dapil tally), then `tally` pushes
   * carrying `dapil` instead of `region`. Operators are refused, as for region tallies.
   */
  @SubscribeMessage('subscribeDapil')
  async subscribeDapil(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<SubscribeDapilAck> {
    const user = socket.data.user;
    if (!user || user.role === 'operator') return refuse('forbidden', 'Rekap suara hanya untuk verifikator, pemantau dan admin');
    const parsed = SubscribeDapilBody.safeParse(body);
    if (!parsed.success) return refuse('invalid_input', 'dapilCode atau ballot (DPR, DPRD_PROV, DPRD_KAB) tidak valid');
    const { dapilCode, ballot } = parsed.data;
    if (!this.election.dapils(ballot).some((d) => d.code === dapilCode)) return refuse('not_found', `Dapil ${dapilCode} tidak ditemukan`);
    return this.joinTallyRoom<DapilTallyView>(socket, dapilCode, ballot, true);
  }

  /** Joins the room of a region's (`dapil` false) or dapil's tally and answers with its current view, a `T`. */
  private async joinTallyRoom<T extends LiveTally>(socket: LiveSocket, code: string, ballot: Ballot, dapil: boolean): Promise<{ ok: true; tally: T } | Refusal> {
    if (!this.rooms) return refuse('unavailable', 'Pembaruan langsung belum siap');
    try {
      const key: RoomKey = { electionId: await this.tallies.activeElectionId(), regionCode: code, ballot, dapil };
      if (this.tooManyRooms(socket, roomName(key))) return TOO_MANY_ROOMS;
      const tally = await this.rooms.subscribe(key, () => socket.join(roomName(key)));
      if (!tally) throw new Error('no tally');
      return { ok: true, tally: tally as T };
    } catch (err) {
      this.log.warn(`subscribe ${code}/${ballot} failed: ${String(err)}`);
      return refuse('unavailable', 'Rekap tidak dapat dibaca sekarang; coba lagi');
    }
  }

  /** `subscribeQuickcount {ballot}` → ack `{ok: true, view}` (null before a sample is drawn), then `quickcount` pushes. */
  @SubscribeMessage('subscribeQuickcount')
  async subscribeQuickcount(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<QuickcountAck> {
    const user = socket.data.user;
    if (!user || user.role === 'operator') return refuse('forbidden', 'Hitung cepat hanya untuk verifikator, pemantau dan admin');
    const parsed = QuickcountBody.safeParse(body);
    if (!parsed.success) return refuse('invalid_input', 'ballot tidak valid');
    if (!this.quickcountRooms) return refuse('unavailable', 'Pembaruan langsung belum siap');
    try {
      const key: QuickcountRoomKey = { electionId: await this.tallies.activeElectionId(), ballot: parsed.data.ballot };
      if (this.tooManyRooms(socket, quickcountRoomName(key))) return TOO_MANY_ROOMS;
      const view = await this.quickcountRooms.subscribe(key, () => socket.join(quickcountRoomName(key)));
      return { ok: true, view };
    } catch (err) {
      this.log.warn(`subscribeQuickcount ${parsed.data.ballot} failed: ${String(err)}`);
      return refuse('unavailable', 'Hitung cepat tidak dapat dibaca sekarang; coba lagi');
    }
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<{ ok: boolean }> {
    const parsed = UnsubscribeBody.safeParse(body);
    if (!parsed.success) return { ok: false };
    // Whatever election it was joined under (the active one may have changed since).
    const code = 'dapilCode' in parsed.data ? parsed.data.dapilCode : parsed.data.regionCode;
    const suffix = `:${code}:${parsed.data.ballot}`;
    for (const room of [...socket.rooms]) {
      if (room.startsWith('tally:') && room.endsWith(suffix)) await socket.leave(room);
    }
    return { ok: true };
  }

  /** This process's sockets and rooms, for /metrics. */
  stats(): { sockets: number; rooms: { tally: number; quickcount: number } } {
    return { sockets: this.nsp?.sockets.size ?? 0, rooms: { tally: this.rooms?.size ?? 0, quickcount: this.quickcountRooms?.size ?? 0 } };
  }

  onModuleDestroy(): void {
    clearInterval(this.deploymentTimer);
    this.offUserChanged?.();
    this.sessions?.close();
    this.unsubscribeFeed?.();
    this.rooms?.close();
    this.quickcountRooms?.close();
  }

  /** The quick count of the active election, or null before its sample is drawn. */
  private async quickcountView(ballot: Ballot): Promise<QuickCountView | null> {
    try {
      return await this.quickcount.view(ballot);
    } catch (err) {
      if (err instanceof HttpException && err.getStatus() === 404) return null;
      throw err;
    }
  }

  /**
   * Verifies the handshake's token, then keeps the session under watch: every event the socket
   * sends is checked first, and the socket is ended within seconds of a disable, password reset,
   * revoke, logout or the token's expiry (SocketSessions).
   */
  private async authenticate(socket: LiveSocket): Promise<void> {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token === '') throw connectError('unauthenticated', 'Silakan masuk: token tidak ada');
    let session;
    try {
      session = await this.tokens.session(token);
    } catch {
      throw connectError('unauthenticated', 'Silakan masuk: token tidak sah, kedaluwarsa atau dicabut');
    }
    socket.data.user = session.user;
    socket.data.token = token;
    // Rooms of the pushes addressed to people rather than regions (proposals).
    const own = session.user.role === 'operator' ? session.user.scope.map(scopeRoom) : [roleRoom(session.user.role)];
    await socket.join(own);
    const sessions = this.sessions!;
    sessions.track(
      {
        id: socket.id,
        data: socket.data,
        end: (reason) => {
          socket.emit('session_ended', reason);
          socket.disconnect();
        },
      },
      session,
    );
    socket.on('disconnect', () => sessions.untrack(socket.id));
    // An event refused below is reported as an "error" on this socket, already being ended.
    socket.on('error', () => undefined);
    socket.use((_packet, next) => {
      sessions.allows(socket.id).then((ok) => (ok ? next() : next(connectError('unauthenticated', 'Sesi berakhir; silakan masuk lagi'))), next);
    });
  }

  /** Whether joining one more room would pass the per-socket cap. */
  private tooManyRooms(socket: LiveSocket, room: string): boolean {
    // socket.rooms also holds the socket's own id and the rooms of its person (proposals), joined at connect.
    const own = socket.data.user.role === 'operator' ? socket.data.user.scope.length : 1;
    return !socket.rooms.has(room) && socket.rooms.size - 1 - own >= MAX_ROOMS_PER_SOCKET;
  }

  private announce(now: { mode: 'simulation' | 'real'; activeElectionId: string }): void {
    const before = this.deployment;
    this.deployment = now;
    if (before?.mode !== now.mode || before?.activeElectionId !== now.activeElectionId) this.nsp.local.emit('election', now);
  }

  /** Tells this process's clients when the simulation is reset or the real election starts. */
  private async watchDeployment(): Promise<void> {
    try {
      const d = await this.election.deployment();
      const now = { mode: d.phase, activeElectionId: d.activeElectionId };
      if (this.deployment) this.announce(now);
      else this.deployment = now;
    } catch (err) {
      this.log.debug(`deployment poll failed: ${String(err)}`);
    }
  }
}
