import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allMigrations } from '../app.migrations';
import type { SqlDatabase } from '../db/sql';
import { createPostgresTestDatabase, openTestPglite, postgresTestUrl } from '../db/test-support/test-database';
import { createSqlEventStore, type SqlEventStore } from '../eventstore';
import { latestSeal, listSeals, loadLogTree } from './integrity.repository';
import { awaitCommittedVisible, eventLeaf, sqlLeafReader } from './log-leaves';
import { BLOCK_SIZE } from './log-tree';
import { inclusionProof, MemoryTree, verifyConsistency, verifyInclusion } from './merkle';
import { keyIdOf, rawPublicKey, verifySealSignature, type SealRecord, type SealSigner } from './seal';
import { Sealer, SealStateMismatch } from './sealer';

function signer(): SealSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { privateKey, publicKey: raw, keyId: keyIdOf(raw) };
}

const backends: [string, () => Promise<{ db: SqlDatabase; close(): Promise<void> }>][] = [
  ['PGlite', async () => {
    const db = await openTestPglite({ migrations: allMigrations });
    return { db, close: () => db.close() };
  }],
];
if (postgresTestUrl()) {
  backends.push(['PostgreSQL', async () => {
    const pg = await createPostgresTestDatabase({ migrations: allMigrations });
    return { db: pg.db, close: () => pg.drop() };
  }]);
}

describe.each(backends)('sealer on %s', (_name, open) => {
  let db: SqlDatabase;
  let close: () => Promise<void>;
  let store: SqlEventStore;
  const key = signer();
  let appended = 0;

  /** `n` events spread over a few streams, appended in separate calls (several transactions). */
  async function append(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const stream = `result-e1-${String(appended % 7).padStart(3, '0')}`;
      const version = Math.floor(appended / 7);
      await store.append(stream, [{ type: 'Test', data: { n: appended }, metadata: { userId: 'u', role: 'operator', at: new Date().toISOString(), requestId: `r${appended}`, electionId: 'e1' } }], version === 0 ? 'NO_STREAM' : version);
      appended++;
    }
  }

  /** The log's leaves in log order, read independently of the sealer. */
  async function logLeaves(): Promise<Buffer[]> {
    const leaves: Buffer[] = [];
    for (let from = '0'; ; ) {
      const batch = await store.readAll(from, 1000);
      if (batch.events.length === 0) return leaves;
      leaves.push(...batch.events.map((e) => eventLeaf(e.metadata.hash)));
      from = batch.checkpoint;
    }
  }

  /** A forced seal, which first waits until every committed event is visible (the horizon is cluster-wide). */
  async function sealUpTo(sealer: Sealer, size: number): Promise<SealRecord> {
    expect(await awaitCommittedVisible(db)).toBe(true);
    const seal = (await sealer.seal(true))!;
    expect(seal.treeSize).toBe(size);
    return seal;
  }

  beforeAll(async () => {
    ({ db, close } = await open());
    store = createSqlEventStore(db);
  });
  afterAll(async () => {
    await store?.close();
    await close?.();
  });

  it('seals the RFC 6962 root of every event hash in log order, signed', async () => {
    await append(300);
    const sealer = new Sealer(db, sqlLeafReader(db), key, { owner: 'a', batchSize: 128 });
    const seal = await sealUpTo(sealer, 300);
    expect(seal.treeSize).toBe(300);
    const tree = new MemoryTree(await logLeaves());
    expect(seal.root).toBe(tree.root(300).toString('hex'));
    expect(verifySealSignature(seal, key.publicKey)).toBe(true);
    // The first seal has nothing to prove consistency with (on a busy PostgreSQL it may cover part of the log only).
    expect((await listSeals(db))[0].record.consistency).toBeUndefined();
    // One complete block of 256 leaves and the block being filled.
    const stored = await loadLogTree(db);
    expect([stored.tree.blocks, stored.tree.size]).toEqual([1, 300]);
  });

  it('does not seal again on a tick when nothing was appended, and carries a consistency proof when it grew', async () => {
    const sealer = new Sealer(db, sqlLeafReader(db), key, { owner: 'a' });
    expect(await sealer.seal(false)).toBeUndefined();
    const before = (await latestSeal(db))!.record;
    await append(500);
    const after = await sealUpTo(sealer, 800);
    expect(after.consistency!.from).toBe(before.treeSize);
    const proof = after.consistency!.proof.map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(before.treeSize, after.treeSize, Buffer.from(before.root, 'hex'), Buffer.from(after.root, 'hex'), proof)).toBe(true);
    const leaves = await logLeaves();
    expect(after.root).toBe(new MemoryTree(leaves).root(800).toString('hex'));
    // The stored blocks give inclusion proofs that check against the seal.
    const stored = await loadLogTree(db);
    expect(stored.tree.blocks).toBe(Math.floor(800 / BLOCK_SIZE));
    expect(verifyInclusion(799, 800, leaves[799], inclusionProof(stored.tree, 799, 800), Buffer.from(after.root, 'hex'))).toBe(true);
  });

  it('a forced seal over an unchanged log repeats the root with a fresh time and an empty proof', async () => {
    const sealer = new Sealer(db, sqlLeafReader(db), key, { owner: 'a', now: () => new Date(Date.now() + 60_000) });
    const before = (await latestSeal(db))!.record;
    const again = (await sealer.seal(true))!;
    expect([again.treeSize, again.root, again.consistency]).toEqual([before.treeSize, before.root, { from: before.treeSize, proof: [] }]);
    expect(again.at > before.at).toBe(true);
  });

  it('lets only the lease holder seal; a standby takes over once the lease is given up', async () => {
    const leader = new Sealer(db, sqlLeafReader(db), key, { owner: 'a' });
    const standby = new Sealer(db, sqlLeafReader(db), key, { owner: 'b' });
    await leader.seal(true);
    await append(10);
    expect(await standby.seal(true)).toBeUndefined();
    await leader.release();
    const taken = await sealUpTo(standby, 810);
    expect(taken.treeSize).toBe(810);
    const all = (await listSeals(db)).map((s) => s.record);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1], all[i]];
      expect(b.consistency!.from).toBe(a.treeSize);
      expect(verifyConsistency(a.treeSize, b.treeSize, Buffer.from(a.root, 'hex'), Buffer.from(b.root, 'hex'), b.consistency!.proof.map((h) => Buffer.from(h, 'hex')))).toBe(true);
    }
    await standby.release();
  });

  it('proves consistency across a large batch that completes more blocks than the tree keeps in memory', async () => {
    const sealer = new Sealer(db, sqlLeafReader(db), key, { owner: 'a' });
    const before = (await sealer.seal(true))!;
    // 20 blocks' worth at once, appended straight into the log (what a backlog looks like to the sealer).
    await db.query(
      `INSERT INTO messages (stream_id, stream_position, type, data, metadata)
       SELECT 'bulk-' || g, 1, 'Test', '{}'::jsonb, jsonb_build_object('hash', encode(sha256(convert_to(g::text, 'UTF8')), 'hex'))
         FROM generate_series(1, $1::int) g`,
      [20 * BLOCK_SIZE],
    );
    const after = await sealUpTo(sealer, before.treeSize + 20 * BLOCK_SIZE);
    const proof = after.consistency!.proof.map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(before.treeSize, after.treeSize, Buffer.from(before.root, 'hex'), Buffer.from(after.root, 'hex'), proof)).toBe(true);
    expect(after.root).toBe(new MemoryTree(await logLeaves()).root(after.treeSize).toString('hex'));
    // More than 9 seals and 9 blocks: stored ids and block numbers come back in numeric order.
    for (let i = 0; i < 10; i++) await sealer.seal(true);
    const ids = (await listSeals(db)).map((s) => s.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(ids.length).toBeGreaterThan(10);
    expect((await latestSeal(db))!.id).toBe(Math.max(...ids));
    expect((await loadLogTree(db)).tree.size).toBe(after.treeSize);
    await sealer.release();
    appended += 20 * BLOCK_SIZE;
  });

  it('refuses to go on from stored blocks that no longer give the last signed root', async () => {
    const { rows } = await db.query<{ leaves: Uint8Array }>('SELECT leaves FROM integrity_blocks WHERE block = 0');
    const altered = Buffer.from(rows[0].leaves);
    altered[5] ^= 1;
    await db.query('UPDATE integrity_blocks SET leaves = $1, hash = $2 WHERE block = 0', [altered, new MemoryTree(split(altered)).root()]);
    const sealer = new Sealer(db, sqlLeafReader(db), key, { owner: 'c' });
    await expect(sealer.seal(true)).rejects.toThrow(SealStateMismatch);
    await db.query('UPDATE integrity_blocks SET leaves = $1, hash = $2 WHERE block = 0', [Buffer.from(rows[0].leaves), new MemoryTree(split(Buffer.from(rows[0].leaves))).root()]);
    expect((await sealer.seal(true))!.treeSize).toBe(810 + 20 * BLOCK_SIZE);
    await sealer.release();
  });
});

const split = (bytes: Buffer) => Array.from({ length: bytes.length / 32 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32));
