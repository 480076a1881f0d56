import type { SqlExecutor } from '../db/sql';
import { BLOCK_SIZE, LogTree } from './log-tree';
import type { SealRecord } from './seal';

/** NOTIFY channels: a seal was asked for (payload: nothing), a seal was published (payload: its tree size). */
export const SEAL_REQUESTED_CHANNEL = 'suara_seal_requested';
export const SEAL_PUBLISHED_CHANNEL = 'suara_seal_published';

const HASH_BYTES = 32;

/** A block row as the sealer writes it. */
export interface BlockWrite {
  block: number;
  leaves: Buffer[];
  /** Set when the block is complete. */
  hash?: Buffer;
  firstPosition: string;
  lastPosition: string;
}

const toBytes = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array));

function splitLeaves(bytes: Buffer): Buffer[] {
  const leaves: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += HASH_BYTES) leaves.push(bytes.subarray(i, i + HASH_BYTES));
  return leaves;
}

/** The stored tree: every complete block's hash and the leaves of the block being filled. */
export async function loadLogTree(ex: SqlExecutor): Promise<{ tree: LogTree; tailFirstPosition?: string }> {
  // The alias differs from the column: ORDER BY would otherwise sort the text ('10' < '2').
  const { rows } = await ex.query<{ block_no: string; hash: unknown; leaves: unknown; first_position: string }>(
    `SELECT block::text AS block_no, hash, CASE WHEN hash IS NULL THEN leaves END AS leaves, first_position
       FROM integrity_blocks ORDER BY block`,
  );
  const complete = rows.filter((r) => r.hash !== null);
  const partial = rows.find((r) => r.hash === null);
  rows.forEach((r, i) => {
    if (Number(r.block_no) !== i) throw new Error(`integrity_blocks: block ${i} is missing`);
    if (r.hash === null && i !== rows.length - 1) throw new Error(`integrity_blocks: block ${i} is incomplete but not the last`);
  });
  const tree = new LogTree(complete.map((r) => toBytes(r.hash)), partial ? splitLeaves(toBytes(partial.leaves)) : []);
  return { tree, tailFirstPosition: partial?.first_position };
}

/** A complete block's leaves. */
export async function loadBlockLeaves(ex: SqlExecutor, block: number): Promise<Buffer[]> {
  const { rows } = await ex.query<{ leaves: unknown }>('SELECT leaves FROM integrity_blocks WHERE block = $1 AND hash IS NOT NULL', [block]);
  if (rows.length === 0) throw new Error(`integrity_blocks: block ${block} not found`);
  const leaves = splitLeaves(toBytes(rows[0].leaves));
  if (leaves.length !== BLOCK_SIZE) throw new Error(`integrity_blocks: block ${block} holds ${leaves.length} leaves`);
  return leaves;
}

export async function writeBlocks(ex: SqlExecutor, blocks: BlockWrite[]): Promise<void> {
  for (const b of blocks) {
    await ex.query(
      `INSERT INTO integrity_blocks (block, leaves, hash, first_position, last_position) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (block) DO UPDATE SET leaves = EXCLUDED.leaves, hash = EXCLUDED.hash, last_position = EXCLUDED.last_position
       WHERE integrity_blocks.hash IS NULL`,
      [b.block, Buffer.concat(b.leaves), b.hash ?? null, b.firstPosition, b.lastPosition],
    );
  }
}

export interface StoredSeal {
  id: number;
  record: SealRecord;
}

export async function latestSeal(ex: SqlExecutor): Promise<StoredSeal | undefined> {
  const [latest] = await listSeals(ex, { limit: 1, newestFirst: true });
  return latest;
}

/** Seals oldest first, after `afterId` (0: from the first), at most `limit`. */
export async function listSeals(ex: SqlExecutor, options: { afterId?: number; limit?: number; newestFirst?: boolean } = {}): Promise<StoredSeal[]> {
  // The alias differs from the column: ORDER BY would otherwise sort the text ('10' < '9').
  const { rows } = await ex.query<{ seal_id: string; record: SealRecord }>(
    `SELECT id::text AS seal_id, record FROM integrity_seals WHERE id > $1 ORDER BY id ${options.newestFirst ? 'DESC' : 'ASC'} LIMIT $2`,
    [options.afterId ?? 0, options.limit ?? 10_000],
  );
  return rows.map((r) => ({ id: Number(r.seal_id), record: r.record }));
}

export async function countSeals(ex: SqlExecutor): Promise<number> {
  const { rows } = await ex.query<{ n: string }>('SELECT count(*)::text AS n FROM integrity_seals');
  return Number(rows[0].n);
}

export async function insertSeal(ex: SqlExecutor, record: SealRecord): Promise<number> {
  const { rows } = await ex.query<{ id: string }>('INSERT INTO integrity_seals (tree_size, at, record) VALUES ($1, $2, $3::jsonb) RETURNING id::text AS id', [
    record.treeSize,
    record.at,
    JSON.stringify(record),
  ]);
  return Number(rows[0].id);
}

/**
 * Takes or renews the sealer lease for `owner` when it is free, expired or already ours; true when
 * held. Inside the sealing transaction it also row-locks the lease, so two sealers never both write.
 */
export async function holdSealerLease(ex: SqlExecutor, owner: string, leaseSeconds: number): Promise<boolean> {
  const { rows } = await ex.query(
    `UPDATE integrity_sealer SET owner = $1, lease_until = now() + make_interval(secs => $2)
      WHERE id = 1 AND (owner IS NULL OR owner = $1 OR lease_until IS NULL OR lease_until < now())
      RETURNING owner`,
    [owner, leaseSeconds],
  );
  return rows.length === 1;
}

export async function releaseSealerLease(ex: SqlExecutor, owner: string): Promise<void> {
  await ex.query('UPDATE integrity_sealer SET owner = NULL, lease_until = NULL WHERE id = 1 AND owner = $1', [owner]);
}
