import { flagSeverity, resultStreamId, type Ballot, type CHasilForm, type Flag, type ResultStatus } from '@suara/contracts';
import { jsonLines } from '../db/json-lines';
import type { SqlExecutor } from '../db/sql';
import { runTogether, type Statement } from '../db/statements';
import { DapilIndex, type DapilLookup, type DapilPlace } from '../election/dapil-index';
import type { ResultKey } from '../tabulation/result.decider';
import type { CurrentResult } from './current-result';
import type { ResultTransition } from './projection-definition';
import type { StoredResult, TallyRow } from './tally-check';
import type { TallyDelta } from './tally.projection';

/**
 * The projector's SQL: each operation is one statement over a whole batch (json_to_recordset for
 * small columns, jsonLines for forms), so a batch costs the same handful of round trips whether it
 * holds 1 event or 5,000. The writes of a batch are `Statement`s, sent together (`runTogether`).
 */

/** The projector's checkpoint row: current results and every projection definition move with it. */
export const TALLIES_PROJECTION = 'tallies';

export interface CheckpointRow {
  position: string;
  owner: string | null;
  /** true while `owner` holds an unexpired lease. */
  leased: boolean;
  /** Milliseconds until the lease runs out (0 when not leased). */
  lease_ms: number;
}

export async function ensureCheckpoint(ex: SqlExecutor, name: string): Promise<void> {
  await ex.query(`INSERT INTO projection_checkpoints (name, position) VALUES ($1, '0') ON CONFLICT (name) DO NOTHING`, [name]);
}

/**
 * Reads and row-locks the checkpoint (inside the batch's transaction), creating it the first time.
 * `relaxedCommit`: the transaction also commits without waiting for its WAL flush — for read models,
 * whose batch lost in a database crash is lost together with its checkpoint and projected again.
 */
export async function lockCheckpoint(ex: SqlExecutor, name: string, options: { relaxedCommit?: boolean } = {}): Promise<CheckpointRow> {
  const relaxed = options.relaxedCommit ? `, set_config('synchronous_commit', 'off', true) AS relaxed` : '';
  const select = () =>
    ex.query<CheckpointRow>(
      `SELECT position, owner, coalesce(lease_until > now(), false) AS leased,
              greatest(0, coalesce(ceil(extract(epoch FROM lease_until - now()) * 1000), 0))::int AS lease_ms${relaxed}
         FROM projection_checkpoints WHERE name = $1 FOR UPDATE`,
      [name],
    );
  const { rows } = await select();
  if (rows.length > 0) return rows[0];
  await ensureCheckpoint(ex, name);
  return (await select()).rows[0];
}

export async function readCheckpoint(ex: SqlExecutor, name: string): Promise<string> {
  const { rows } = await ex.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? '0';
}

/** Moves the checkpoint and renews `owner`'s lease. */
export function checkpointWrite(name: string, position: string, owner: string, leaseSeconds: number): Statement {
  return {
    sql: `UPDATE projection_checkpoints
             SET position = $2, owner = $3, lease_until = now() + make_interval(secs => $4), updated_at = now()
           WHERE name = $1`,
    params: [name, position, owner, leaseSeconds],
  };
}

/**
 * Renews `owner`'s lease without a batch, so an idle or busy leader keeps it and a dead one loses it
 * within `leaseSeconds`. false when another owner holds it now (leadership was lost).
 */
export async function renewLease(ex: SqlExecutor, name: string, owner: string, leaseSeconds: number): Promise<boolean> {
  const { rows } = await ex.query(
    'UPDATE projection_checkpoints SET lease_until = now() + make_interval(secs => $3) WHERE name = $1 AND owner = $2 RETURNING name',
    [name, owner, leaseSeconds],
  );
  return rows.length > 0;
}

export async function releaseLease(ex: SqlExecutor, name: string, owner: string): Promise<void> {
  await ex.query('UPDATE projection_checkpoints SET owner = NULL, lease_until = NULL WHERE name = $1 AND owner = $2', [name, owner]);
}

interface CurrentRow {
  election_id: string;
  tps_code: string;
  ballot: Ballot;
  status: ResultStatus;
  form: CurrentResult['form'];
  flags: Flag[];
  version: number;
  submitted_by: string | null;
  submitted_at: Date | string | null;
  verified_by: string | null;
  verified_at: Date | string | null;
  position: string;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());

/** The stored current results of the given result streams, keyed by stream id. */
export async function loadCurrentResults(ex: SqlExecutor, keys: ResultKey[]): Promise<Map<string, CurrentResult>> {
  const found = new Map<string, CurrentResult>();
  if (keys.length === 0) return found;
  const { rows } = await ex.query<CurrentRow>(
    `SELECT c.election_id, c.tps_code, c.ballot, c.status, c.form, c.flags, c.version, c.submitted_by, c.submitted_at,
            c.verified_by, c.verified_at, c.position
       FROM json_to_recordset($1::json) AS k(e text, t text, b text)
       JOIN result_current c ON c.election_id = k.e AND c.tps_code = k.t AND c.ballot = k.b`,
    [JSON.stringify(keys.map((k) => ({ e: k.electionId, t: k.tpsCode, b: k.ballot })))],
  );
  for (const r of rows) {
    found.set(resultStreamId(r.election_id, r.tps_code, r.ballot), {
      electionId: r.election_id,
      tpsCode: r.tps_code,
      ballot: r.ballot,
      status: r.status,
      form: r.form,
      flags: r.flags,
      version: r.version,
      submittedBy: r.submitted_by,
      submittedAt: iso(r.submitted_at),
      verifiedBy: r.verified_by,
      verifiedAt: iso(r.verified_at),
      position: r.position,
    });
  }
  return found;
}

/**
 * The writes of a batch's current results: a stream whose form the batch left as it was stored (a
 * verification) is updated without its form, which is neither serialised nor parsed again; the
 * others are upserted with theirs.
 */
export function currentResultsWrite(results: readonly ResultTransition[]): Array<Statement | undefined> {
  const keepsForm = (r: ResultTransition) => r.before !== undefined && r.after.form === r.before.form;
  return [formlessUpdate(results.filter(keepsForm).map((r) => r.after)), currentResultsUpsert(results.filter((r) => !keepsForm(r)).map((r) => r.after))];
}

const currentRow = (r: CurrentResult) => ({
  election_id: r.electionId,
  tps_code: r.tpsCode,
  ballot: r.ballot,
  status: r.status,
  flags: r.flags,
  flag_count: r.flags.length,
  severity: flagSeverity(r.flags),
  version: r.version,
  submitted_by: r.submittedBy,
  submitted_at: r.submittedAt,
  verified_by: r.verifiedBy,
  verified_at: r.verifiedAt,
  position: r.position,
});

const CURRENT_COLUMNS = `election_id text, tps_code text, ballot text, status text, flags json, flag_count int, severity int, version int,
                submitted_by text, submitted_at timestamptz, verified_by text, verified_at timestamptz, position text`;

function formlessUpdate(results: CurrentResult[]): Statement | undefined {
  if (results.length === 0) return undefined;
  return {
    sql: `UPDATE result_current AS c
             SET status = r.status, flags = coalesce(r.flags, '[]'::json), flag_count = r.flag_count, severity = r.severity, version = r.version,
                 submitted_by = r.submitted_by, submitted_at = r.submitted_at, verified_by = r.verified_by, verified_at = r.verified_at,
                 position = r.position, updated_at = now()
            FROM json_to_recordset($1::json) AS r(${CURRENT_COLUMNS})
           WHERE c.election_id = r.election_id AND c.tps_code = r.tps_code AND c.ballot = r.ballot`,
    params: [JSON.stringify(results.map(currentRow))],
  };
}

function currentResultsUpsert(results: CurrentResult[]): Statement | undefined {
  if (results.length === 0) return undefined;
  return {
    sql: `INSERT INTO result_current AS c (election_id, tps_code, ballot, status, form, flags, flag_count, severity, version,
                                      submitted_by, submitted_at, verified_by, verified_at, position, updated_at)
     SELECT election_id, tps_code, ballot, status, nullif(form, '')::json, coalesce(flags, '[]'::json), flag_count, severity,
            version, submitted_by, submitted_at, verified_by, verified_at, position, now()
       FROM ROWS FROM (json_to_recordset($1::json) AS (${CURRENT_COLUMNS}), string_to_table($2, E'\n'))
            AS r(election_id, tps_code, ballot, status, flags, flag_count, severity, version, submitted_by, submitted_at,
                 verified_by, verified_at, position, form)
     ON CONFLICT (election_id, tps_code, ballot) DO UPDATE SET
       status = EXCLUDED.status, form = EXCLUDED.form, flags = EXCLUDED.flags, flag_count = EXCLUDED.flag_count,
       severity = EXCLUDED.severity, version = EXCLUDED.version, submitted_by = EXCLUDED.submitted_by,
       submitted_at = EXCLUDED.submitted_at, verified_by = EXCLUDED.verified_by, verified_at = EXCLUDED.verified_at,
       position = EXCLUDED.position, updated_at = now()`,
    params: [JSON.stringify(results.map(currentRow)), jsonLines(results.map((r) => (r.form === null ? null : JSON.stringify(r.form))))],
  };
}

interface TallyKeyRow {
  region_code: string;
  election_id: string;
  ballot: string;
  votes: Record<string, number>;
  valid: string | number;
  invalid: string | number;
  tps_reported: number;
  tps_verified: number;
}

/**
 * A table of tallies: `region_tallies` (desa and above, keyed by region code) or `dapil_tallies`
 * (keyed by dapil code). Both have the same columns but their key's name.
 */
export interface TallyTable {
  name: 'region_tallies' | 'dapil_tallies';
  key: 'region_code' | 'dapil_code';
}
export const REGION_TALLIES: TallyTable = { name: 'region_tallies', key: 'region_code' };
export const DAPIL_TALLIES: TallyTable = { name: 'dapil_tallies', key: 'dapil_code' };

/**
 * The new sums of the tally rows the deltas touch (`regionCode` = the table's key): reads those rows
 * and adds in memory; `tallySumsWrite` stores them. Only correct for the single writer holding the
 * projection's checkpoint row lock, which every projector and rebuild takes first.
 */
export async function sumTallyDeltas(ex: SqlExecutor, deltas: TallyDelta[], table: TallyTable = REGION_TALLIES): Promise<TallySums[]> {
  if (deltas.length === 0) return [];
  const { rows } = await ex.query<TallyKeyRow>(
    `SELECT t.election_id, t.${table.key} AS region_code, t.ballot, t.votes, t.valid, t.invalid, t.tps_reported, t.tps_verified
       FROM json_to_recordset($1::json) AS k(e text, r text, b text)
       JOIN ${table.name} t ON t.election_id = k.e AND t.${table.key} = k.r AND t.ballot = k.b`,
    [JSON.stringify(deltas.map((d) => ({ e: d.electionId, r: d.regionCode, b: d.ballot })))],
  );
  const stored = new Map(rows.map((r) => [`${r.election_id}|${r.region_code}|${r.ballot}`, r]));
  return deltas.map((d) => {
    const old = stored.get(`${d.electionId}|${d.regionCode}|${d.ballot}`);
    const votes: Record<string, number> = { ...(old?.votes ?? {}) };
    for (const option in d.votes) votes[option] = (votes[option] ?? 0) + d.votes[option];
    return {
      e: d.electionId,
      r: d.regionCode,
      b: d.ballot,
      v: votes,
      va: Number(old?.valid ?? 0) + d.valid,
      iv: Number(old?.invalid ?? 0) + d.invalid,
      rp: (old?.tps_reported ?? 0) + d.tpsReported,
      vf: (old?.tps_verified ?? 0) + d.tpsVerified,
    };
  });
}

/** A `region_tallies` row's new numbers, as `tallySumsWrite` sends them. */
export interface TallySums {
  e: string;
  r: string;
  b: string;
  v: Record<string, number>;
  va: number;
  iv: number;
  rp: number;
  vf: number;
}

export function tallySumsWrite(sums: TallySums[], position: string, table: TallyTable = REGION_TALLIES): Statement | undefined {
  if (sums.length === 0) return undefined;
  return {
    sql: `INSERT INTO ${table.name} (election_id, ${table.key}, ballot, votes, valid, invalid, tps_reported, tps_verified, position, updated_at)
          SELECT e, r, b, v, va, iv, rp, vf, $2, now()
            FROM jsonb_to_recordset($1::jsonb) AS d(e text, r text, b text, v jsonb, va bigint, iv bigint, rp int, vf int)
          ON CONFLICT (election_id, ${table.key}, ballot) DO UPDATE SET
            votes = EXCLUDED.votes, valid = EXCLUDED.valid, invalid = EXCLUDED.invalid, tps_reported = EXCLUDED.tps_reported,
            tps_verified = EXCLUDED.tps_verified, position = EXCLUDED.position, updated_at = now()`,
    params: [JSON.stringify(sums), position],
  };
}

export function notifyWrite(channel: string, payloads: string[]): Statement | undefined {
  if (payloads.length === 0) return undefined;
  return { sql: 'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', params: [channel, payloads] };
}

export async function notify(ex: SqlExecutor, channel: string, payloads: string[]): Promise<void> {
  await runTogether(ex, [notifyWrite(channel, payloads)]);
}

interface StoredTallyRow {
  election_id: string;
  region_code: string;
  ballot: string;
  votes: Record<string, number>;
  valid: string | number | bigint;
  invalid: string | number | bigint;
  tps_reported: number;
  tps_verified: number;
}

/** Every stored row of a tally table (for `suara check`); `regionCode` holds the table's key. */
export async function readStoredTallies(ex: SqlExecutor, table: TallyTable = REGION_TALLIES): Promise<TallyRow[]> {
  const { rows } = await ex.query<StoredTallyRow>(
    `SELECT election_id, ${table.key} AS region_code, ballot, votes, valid, invalid, tps_reported, tps_verified FROM ${table.name}`,
  );
  return rows.map((r) => ({
    electionId: r.election_id,
    regionCode: r.region_code,
    ballot: r.ballot,
    votes: r.votes,
    valid: Number(r.valid),
    invalid: Number(r.invalid),
    tpsReported: r.tps_reported,
    tpsVerified: r.tps_verified,
  }));
}

/** Every stored current result (for `suara check`). */
export async function readStoredResults(ex: SqlExecutor): Promise<StoredResult[]> {
  const { rows } = await ex.query<{ election_id: string; tps_code: string; ballot: string; status: string; version: number; form: CHasilForm | null }>(
    'SELECT election_id, tps_code, ballot, status, version, form FROM result_current',
  );
  return rows.map((r) => ({ electionId: r.election_id, tpsCode: r.tps_code, ballot: r.ballot, status: r.status, version: r.version, form: r.form }));
}

const dapilLookups = new WeakMap<SqlExecutor, Promise<DapilLookup>>();

/**
 * The dapils (codes and regions only) of every master-data version, and which version each election
 * id was entered against, read once per transaction: the region and dapil tally definitions of one
 * batch share one read. An election id without a version row predates versions: version 1.
 */
export function loadDapilLookup(ex: SqlExecutor): Promise<DapilLookup> {
  let lookup = dapilLookups.get(ex);
  if (!lookup) {
    lookup = Promise.all([
      ex.query<{ version: number; code: string; ballot: DapilPlace['ballot']; region_codes: string[] | string }>(
        `SELECT v.version, d->>'code' AS code, d->>'ballot' AS ballot, d->'regionCodes' AS region_codes
           FROM master_data_versions v, jsonb_array_elements(v.config->'dapils') AS d`,
      ),
      ex.query<{ election_id: string; version: number }>('SELECT election_id, version FROM election_master_data'),
    ]).then(([dapils, mapped]) => {
      const places = new Map<number, DapilPlace[]>();
      for (const r of dapils.rows) {
        const list = places.get(Number(r.version)) ?? [];
        list.push({ code: r.code, ballot: r.ballot, regionCodes: typeof r.region_codes === 'string' ? JSON.parse(r.region_codes) : r.region_codes });
        places.set(Number(r.version), list);
      }
      const indexes = new Map([...places].map(([version, list]) => [version, new DapilIndex(list)]));
      const versionOf = new Map(mapped.rows.map((r) => [r.election_id, Number(r.version)]));
      const none = new DapilIndex([]);
      return (electionId: string) => indexes.get(versionOf.get(electionId) ?? 1) ?? none;
    });
    dapilLookups.set(ex, lookup);
  }
  return lookup;
}
