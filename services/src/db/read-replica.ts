import { comparePositions } from '@suara/contracts';
import { RepeatedWarning } from '../logger';
import { tallyReads } from '../metrics/metrics';
import type { SqlDatabase, SqlExecutor } from './sql';

/** After a failure the replica is left alone this long; the primary answers meanwhile. */
const REPLICA_PAUSE_MS = 5_000;

/**
 * Tally reads that a streaming replica may answer (READ_DATABASE_URL). A replica lags the primary
 * by some milliseconds, or by much more when it is busy or cut off, so an answer is only taken when
 * its projection position has reached
 * - what this process has already shown anyone (its floor): a dashboard never sees its numbers go
 *   back, whether the answer comes by HTTP, as a subscription's ack or as a push;
 * - and, for a push, the position of the change it announces: a push must carry that change.
 * Otherwise the primary answers, as it does while the replica is away (for REPLICA_PAUSE_MS after a
 * failure). Without a replica every read goes to the primary.
 */
export class TallyReader {
  private floor = '0';
  /** What the replica did last: the position of its last answer, or why it failed (for /health). */
  private last: { position: string | null; error?: string } = { position: null };
  private replica: Promise<SqlDatabase> | undefined;
  private pausedUntil = 0;
  private readonly warning: RepeatedWarning;

  constructor(
    private readonly primary: SqlDatabase,
    private readonly openReplica: (() => Promise<SqlDatabase>) | undefined,
    warn: (line: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.warning = new RepeatedWarning(warn);
  }

  /** Runs `read` where its answer may come from (see above); `atLeast`: the change a push must carry. */
  async read<T extends { position: string }>(read: (db: SqlExecutor) => Promise<T>, atLeast?: string): Promise<T> {
    const wanted = atLeast && comparePositions(atLeast, this.floor) > 0 ? atLeast : this.floor;
    const fromReplica = await this.fromReplica(read);
    if (fromReplica) this.last = { position: fromReplica.position };
    if (fromReplica && comparePositions(fromReplica.position, wanted) >= 0) return this.shown(fromReplica, 'replica', '');
    const answer = await read(this.primary);
    return this.shown(answer, 'primary', fromReplica ? 'behind' : this.openReplica ? 'replica_error' : 'none');
  }

  /** For /health: undefined without a replica. */
  get replicaStatus(): { ok: boolean; position: string | null; error?: string } | undefined {
    if (!this.openReplica) return undefined;
    return { ok: this.last.error === undefined, ...this.last };
  }

  async close(): Promise<void> {
    const replica = await this.replica?.catch(() => undefined);
    this.replica = undefined;
    await replica?.close().catch(() => undefined);
  }

  /** The replica's answer, or undefined when there is none to ask or it failed (then it rests a while). */
  private async fromReplica<T>(read: (db: SqlExecutor) => Promise<T>): Promise<T | undefined> {
    if (!this.openReplica || this.now() < this.pausedUntil) return undefined;
    const replica = (this.replica ??= this.openReplica());
    try {
      return await read(await replica);
    } catch (err) {
      // A standby cancels queries that conflict with the WAL it replays, and goes away in a failover.
      const why = err instanceof Error ? err.message : String(err);
      this.last = { position: this.last.position, error: why };
      this.warning.warn(`tally read on the replica failed, the primary answers for ${REPLICA_PAUSE_MS / 1000} s: ${why}`);
      this.pausedUntil = this.now() + REPLICA_PAUSE_MS;
      if (this.replica === replica) {
        this.replica = undefined;
        void replica.then((db) => db.close(), () => undefined).catch(() => undefined);
      }
      return undefined;
    }
  }

  private shown<T extends { position: string }>(answer: T, by: 'replica' | 'primary', reason: string): T {
    if (comparePositions(answer.position, this.floor) > 0) this.floor = answer.position;
    tallyReads.inc({ answered_by: by, reason });
    return answer;
  }
}
