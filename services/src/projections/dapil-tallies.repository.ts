import { Injectable } from '@nestjs/common';
import type { Ballot } from '@suara/contracts';
import { TallyReader } from '../db/read-replica';
import { TALLIES_PROJECTION } from './projection-store';
import type { TallyNumbers } from './tally-check';

/** One dapil's stored numbers with the checkpoint they reflect (read in one snapshot). */
export interface DapilSnapshot {
  position: string;
  numbers: TallyNumbers | undefined;
  updatedAt: string | null;
}

/** Reads of `dapil_tallies`. */
@Injectable()
export class DapilTalliesRepository {
  constructor(private readonly reader: TallyReader) {}

  /** One statement, on the replica when it has caught up (`atLeast`: the change a push must carry; see TallyReader). */
  snapshot(electionId: string, dapilCode: string, ballot: Ballot, atLeast?: string): Promise<DapilSnapshot> {
    return this.reader.read(async (db) => {
      const { rows } = await db.query<{ position: string | null; t: unknown }>(
        `SELECT (SELECT position FROM projection_checkpoints WHERE name = $4) AS position,
                (SELECT json_build_object('v', votes, 'va', valid, 'iv', invalid, 'r', tps_reported, 'vf', tps_verified, 'u', updated_at)
                   FROM dapil_tallies WHERE election_id = $1 AND dapil_code = $2 AND ballot = $3) AS t`,
        [electionId, dapilCode, ballot, TALLIES_PROJECTION],
      );
      const raw = rows[0].t;
      const t = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { v: Record<string, number>; va: number; iv: number; r: number; vf: number; u: string | null } | null;
      return {
        position: rows[0].position ?? '0',
        numbers: t ? { votes: t.v, valid: Number(t.va), invalid: Number(t.iv), tpsReported: t.r, tpsVerified: t.vf } : undefined,
        updatedAt: t?.u ? new Date(t.u).toISOString() : null,
      };
    }, atLeast);
  }
}
