import { Inject, Injectable } from '@nestjs/common';
import { flattenVotes, type Ballot, type CHasilForm } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import type { FlagContext } from './chasil.validation';

/** A desa's shares change slowly against a plausibility threshold of 35 points: a few seconds' staleness is harmless. */
export const DESA_SHARES_TTL_MS = 5_000;
/** Entries kept at most (every desa × ballot of a kabupaten is a few thousand). */
const MAX_ENTRIES = 20_000;
const DESA_CODE_LENGTH = 10;

/**
 * The desa's tally as the `off_desa_share` flag reads it: each option's share of valid votes
 * (top-level keys only: party ballots' "2.p"/"2.c5" breakdowns are not options) and how many TPS reported.
 */
export function desaContext(votes: Record<string, number>, valid: number, reported: number): FlagContext {
  if (valid <= 0) return { desaShares: {}, desaReported: reported };
  const desaShares: Record<string, number> = {};
  for (const [key, n] of Object.entries(votes)) if (!key.includes('.')) desaShares[key] = n / valid;
  return { desaShares, desaReported: reported };
}

/**
 * The desa's current shares from the read side, at submit time. One indexed row per (election,
 * desa, ballot), cached a few seconds and shared by concurrent submissions, so the ingest path pays
 * at most one small query per desa and ballot every few seconds.
 */
@Injectable()
export class DesaShares {
  private readonly cache = new Map<string, { until: number; context: Promise<FlagContext> }>();
  /** The clock the cache expires by (replaced in tests). */
  clock: () => number = Date.now;

  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  of(electionId: string, tpsCode: string, ballot: Ballot): Promise<FlagContext> {
    const desa = tpsCode.slice(0, DESA_CODE_LENGTH);
    const key = `${electionId}\u0000${desa}\u0000${ballot}`;
    const now = this.clock();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.context;
    const context = this.read(electionId, desa, ballot);
    // A failed read is not remembered: the next submission asks again.
    context.catch(() => this.cache.delete(key));
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.delete(key); // re-inserted last, so the oldest entry is the first key
    this.cache.set(key, { until: now + DESA_SHARES_TTL_MS, context });
    return context;
  }

  /**
   * For a correction: the desa's shares without this TPS's own numbers as the tallies count them,
   * so the corrected form is compared with the desa's *other* TPS, as a first submission is. The
   * desa tally and the TPS's current result are read in one statement (one snapshot: the projector
   * writes both in one transaction). Not cached: corrections are few, and each must see its own TPS.
   */
  async ofOthers(electionId: string, tpsCode: string, ballot: Ballot): Promise<FlagContext> {
    const { rows } = await this.db.query<{ votes: unknown; valid: number | string; tps_reported: number; status: string | null; form: unknown }>(
      `SELECT t.votes, t.valid, t.tps_reported, r.status, r.form FROM region_tallies t
       LEFT JOIN result_current r ON r.election_id = t.election_id AND r.tps_code = $4 AND r.ballot = t.ballot
       WHERE t.election_id = $1 AND t.region_code = $2 AND t.ballot = $3`,
      [electionId, tpsCode.slice(0, DESA_CODE_LENGTH), ballot, tpsCode],
    );
    const row = rows[0];
    if (!row) return {};
    const votes = { ...json<Record<string, number>>(row.votes) };
    let valid = Number(row.valid);
    let reported = Number(row.tps_reported);
    const own = row.form && row.status !== 'empty' ? json<CHasilForm>(row.form) : undefined;
    if (own) {
      for (const [key, n] of Object.entries(flattenVotes(ballot, own))) votes[key] = (votes[key] ?? 0) - n;
      valid -= own.valid;
      reported -= 1;
    }
    return desaContext(votes, valid, reported);
  }

  private async read(electionId: string, desa: string, ballot: Ballot): Promise<FlagContext> {
    const { rows } = await this.db.query<{ votes: unknown; valid: number | string; tps_reported: number }>(
      'SELECT votes, valid, tps_reported FROM region_tallies WHERE election_id = $1 AND region_code = $2 AND ballot = $3',
      [electionId, desa, ballot],
    );
    const row = rows[0];
    if (!row) return {};
    return desaContext(json<Record<string, number>>(row.votes), Number(row.valid), Number(row.tps_reported));
  }
}

const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
