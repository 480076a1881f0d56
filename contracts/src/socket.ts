import type { Ballot } from './ids';
import type { DapilTallyView, ProposalView, TallyView } from './readmodels';
import type { QuickCountView } from './quickcount';

export const LIVE_NAMESPACE = '/live';

/** The room of the operators whose scope lists this desa or TPS code, and the room of a role. */
export const scopeRoom = (code: string): string => `scope:${code}`;
export const roleRoom = (role: string): string => `role:${role}`;

export interface SubscribeRequest {
  regionCode: string;
  ballot: Ballot;
}
export type SubscribeAck = { ok: true; tally: TallyView } | { ok: false; error: string; message: string };
/** A dapil's tally (DPR, DPRD_PROV, DPRD_KAB). */
export interface SubscribeDapilRequest {
  dapilCode: string;
  ballot: Ballot;
}
export type SubscribeDapilAck = { ok: true; tally: DapilTallyView } | { ok: false; error: string; message: string };
/** The tally of a region room, or of a dapil room (it has `dapil` instead of `region`). */
export type LiveTally = TallyView | DapilTallyView;
export const isDapilTally = (t: LiveTally): t is DapilTallyView => 'dapil' in t;

/** Events the server emits on `/live`. */
export interface LiveServerToClientEvents {
  /** The current tally of a subscribed (region, ballot); `position` never goes back. */
  tally: (tally: LiveTally) => void;
  /** The quick count estimate of a subscribed ballot. */
  quickcount: (view: QuickCountView) => void;
  /**
   * A correction proposal was made or answered (version 2): sent to the operators whose scope holds
   * the TPS, and to every verifier and admin, across processes (socket.io's Redis adapter).
   */
  proposal: (proposal: ProposalView) => void;
  /** The deployment changed phase (simulation → real) or the simulation was reset. */
  election: (info: { mode: 'simulation' | 'real'; activeElectionId: string }) => void;
  /**
   * The session is over (logged out, disabled, password reset, tokens revoked, or expired); the
   * server disconnects right after. Sign in again.
   */
  session_ended: (reason: { error: 'unauthenticated'; message: string }) => void;
}

/** Events a client emits on `/live`. The ack of `subscribe` carries the current tally. */
export interface LiveClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  subscribeDapil: (req: SubscribeDapilRequest, ack: (res: SubscribeDapilAck) => void) => void;
  /** Leaves a region room (`regionCode`) or a dapil room (`dapilCode`). */
  unsubscribe: (req: SubscribeRequest | SubscribeDapilRequest, ack?: (res: { ok: boolean }) => void) => void;
  subscribeQuickcount: (req: { ballot: Ballot }, ack: (res: { ok: true; view: QuickCountView | null } | { ok: false; error: string; message: string }) => void) => void;
}
