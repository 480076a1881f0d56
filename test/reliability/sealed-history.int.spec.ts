import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { SealView, SuaraClient } from '@suara/contracts';
import { describeIfPostgres } from '../../services/src/db/test-support/test-database';
import { chainEvent, eventHash } from '../../services/src/eventstore/hash-chain';
import { bootApp, ppwpForm, type TestApp } from '../support/app';
import { postgresSuiteGuard, runCli, type CliResult } from '../support/reliability';

/**
 * The red team's four rewrites, done as they did them: straight in PostgreSQL, with the app's own
 * hash function, every hash and the stream head recomputed so each stream's chain stays
 * consistent (the append-only trigger switched off, as the table owner can). Plain chain checking
 * cannot see them; the signed seals can: `verify-chain --seals <the seals file>` exits 1 and says
 * which seal no longer holds. Each rewrite is undone afterwards, and the seals hold again.
 */

const DESA = '1222011001';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;

interface Row {
  global_position: string;
  stream_id: string;
  stream_position: number;
  transaction_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> & { hash: string; prevHash: string; at: string };
  created_at: Date;
}
interface StreamRow { stream_id: string; version: string; last_hash: string; created_at: Date; updated_at: Date }

describeIfPostgres('sealed history: the four rewrites of the red team are caught (PostgreSQL)', () => {
  let t: TestApp;
  let sql: Client;
  let sealsFile: string;
  const streams = new Map<number, string>();
  let seals: SealView[] = [];

  const verifySealed = (): Promise<CliResult> =>
    runCli(['verify-chain', '--seals', sealsFile], { DATABASE_URL: t.config.databaseUrl!, DATA_DIR: t.config.dataDir });

  async function rows(streamId: string): Promise<Row[]> {
    const { rows } = await sql.query<Row>(
      `SELECT global_position::text, stream_id, stream_position::int, transaction_id::text, type, data, metadata, created_at
         FROM messages WHERE stream_id = $1 ORDER BY stream_position`,
      [streamId],
    );
    return rows;
  }

  async function insert(r: Row) {
    await sql.query(
      `INSERT INTO messages (global_position, stream_id, stream_position, transaction_id, type, data, metadata, created_at)
       VALUES ($1, $2, $3, $4::xid8, $5, $6, $7, $8)`,
      [r.global_position, r.stream_id, r.stream_position, r.transaction_id, r.type, JSON.stringify(r.data), JSON.stringify(r.metadata), r.created_at],
    );
  }

  /** Rewrites a stream's events (recomputing every hash and the head) as the attacker did; returns the undo. */
  async function rewriteStream(streamId: string, events: Row[]): Promise<() => Promise<void>> {
    const originalRows = await rows(streamId);
    const { rows: [head] } = await sql.query<StreamRow>('SELECT * FROM streams WHERE stream_id = $1', [streamId]);
    let prevHash = '';
    const chained = events.map((e, i) => {
      const metadata = { ...e.metadata, prevHash };
      const hash = eventHash({ streamId, streamPosition: i + 1, type: e.type, data: e.data, metadata } as never);
      prevHash = hash;
      return { ...e, stream_position: i + 1, metadata: { ...metadata, hash } };
    });
    await attack(async () => {
      await sql.query('DELETE FROM messages WHERE stream_id = $1', [streamId]);
      for (const e of chained) await insert(e);
      if (chained.length === 0) await sql.query('DELETE FROM streams WHERE stream_id = $1', [streamId]);
      else await sql.query('UPDATE streams SET version = $2, last_hash = $3 WHERE stream_id = $1', [streamId, chained.length, prevHash]);
    });
    return () =>
      attack(async () => {
        await sql.query('DELETE FROM messages WHERE stream_id = $1', [streamId]);
        for (const r of originalRows) await insert(r);
        await sql.query(
          `INSERT INTO streams (stream_id, version, last_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, last_hash = EXCLUDED.last_hash`,
          [head.stream_id, head.version, head.last_hash, head.created_at, head.updated_at],
        );
      });
  }

  /** As the table owner: the append-only guard is a trigger, and the owner can switch triggers off. */
  async function attack(fn: () => Promise<void>) {
    await sql.query('BEGIN');
    await sql.query('SET LOCAL session_replication_role = replica');
    try {
      await fn();
      await sql.query('COMMIT');
    } catch (err) {
      await sql.query('ROLLBACK');
      throw err;
    }
  }

  /** The plain chain check is fooled; the seals are not. */
  async function expectCaught(problem: RegExp): Promise<string> {
    const out = await verifySealed();
    expect(out.stdout, out.stderr).toMatch(/hash chains intact/);
    expect(out.stdout).toMatch(problem);
    expect(out.stdout).toMatch(/problem\(s\) against \d+ seal\(s\)/);
    expect(out.code, out.stdout + out.stderr).toBe(1);
    return out.stdout;
  }

  async function expectHolds() {
    const out = await verifySealed();
    expect(out.stdout, out.stderr).toMatch(/seals hold: \d+ seal\(s\)/);
    expect(out.code, out.stdout + out.stderr).toBe(0);
  }

  beforeAll(async () => {
    t = await bootApp('postgres', { SUARA_SEAL_INTERVAL: '3600' });
    sealsFile = join(t.config.dataDir, 'seals', 'seals.ndjson');
    const operator: SuaraClient = await t.userClient('operator', [DESA]);
    const verifier: SuaraClient = await t.userClient('verifier');
    for (let n = 1; n <= 5; n++) {
      await operator.submit({ tpsCode: tps(n), ballot: 'PPWP', clientRequestId: `sealed-${n}-${Date.now()}`, form: ppwpForm({ '01': 10 * n, '02': 20, '03': 5 }) });
    }
    await verifier.verify(tps(2), 'PPWP', 1);
    await verifier.verify(tps(3), 'PPWP', 1);
    await verifier.correct(tps(3), 'PPWP', {
      expectedVersion: 2, form: ppwpForm({ '01': 31, '02': 20, '03': 5 }), reason: 'salah salin angka paslon 01', operatorConfirmation: 'dikonfirmasi via telepon',
    });
    seals.push(await t.admin.sealNow());
    await operator.submit({ tpsCode: tps(6), ballot: 'PPWP', clientRequestId: `sealed-6-${Date.now()}`, form: ppwpForm({ '01': 7, '02': 8, '03': 9 }) });
    seals.push(await t.admin.sealNow());
    sql = new Client({ connectionString: t.config.databaseUrl });
    await sql.connect();
    const { rows: all } = await sql.query<{ stream_id: string; data: { tpsCode: string } }>(
      `SELECT DISTINCT ON (stream_id) stream_id, data FROM messages WHERE data ? 'tpsCode' ORDER BY stream_id, stream_position`,
    );
    for (const r of all) streams.set(Number(r.data.tpsCode.slice(-3)), r.stream_id);
    expect(streams.size).toBe(6);
  });

  afterAll(async () => {
    await sql?.end().catch(() => undefined);
    await t?.close();
  });

  it('keeps every seal in the database and, one JSON line each, in the append-only seals file', async () => {
    expect(seals[1].treeSize).toBe(9);
    expect(seals[1].consistency?.from).toBe(seals[0].treeSize);
    expect(existsSync(sealsFile)).toBe(true);
    const lines = readFileSync(sealsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SealView);
    expect(lines.slice(-2).map((s) => s.signature)).toEqual(seals.map((s) => s.signature));
    const listed = await t.admin.seals();
    expect(listed.latest?.signature).toBe(seals[1].signature);
    expect(listed.publicKey?.key).toBe(seals[1].publicKey);
    expect(listed.latestText).toContain(seals[1].root);
    await expectHolds();
  });

  it('reads the seals from a URL as well (GET /api/seals/export with a token)', async () => {
    const out = await runCli(['verify-chain', '--seals', `${t.url}/api/seals/export`, '--token', t.admin.token!], {
      DATABASE_URL: t.config.databaseUrl!, DATA_DIR: t.config.dataDir,
    });
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toContain(`from ${t.url}/api/seals/export`);
  });

  it('catches changed votes with every hash and the stream head recomputed', async () => {
    const stream = streams.get(3)!;
    const events = await rows(stream);
    const submitted = structuredClone(events[0]);
    const form = submitted.data.form as { votes: Record<string, number>; valid: number; voters: { voted: number } };
    form.votes['01'] += 100;
    form.valid += 100;
    form.voters.voted += 100;
    const undo = await rewriteStream(stream, [submitted, ...events.slice(1)]);
    try {
      await expectCaught(/seal-root\tseal \d+ \(\d+ events, [^)]+\): the log's first \d+ events give root [0-9a-f]{64}, not the sealed/);
    } finally {
      await undo();
    }
    await expectHolds();
  });

  it('catches a deleted verification with the stream head moved back', async () => {
    const stream = streams.get(2)!;
    const events = await rows(stream);
    expect(events.map((e) => e.type)).toEqual(['ResultSubmitted', 'ResultVerified']);
    const undo = await rewriteStream(stream, events.slice(0, 1));
    try {
      const out = await expectCaught(/seal-(root|missing)/);
      expect(out).toMatch(/seal-missing\tseal \d+ \(9 events[^)]*\): the log has only 8 events/);
    } finally {
      await undo();
    }
    await expectHolds();
  });

  it('catches a whole stream deleted, head and all', async () => {
    const undo = await rewriteStream(streams.get(1)!, []);
    try {
      await expectCaught(/seal-root/);
    } finally {
      await undo();
    }
    await expectHolds();
  });

  it('catches a made-up ResultSubmitted slipped into sealed history', async () => {
    const [firstEvent] = await rows(streams.get(1)!);
    const fake = madeUpSubmission(tps(9), firstEvent);
    // Ordered among the sealed events: the transaction id of the log's first event.
    await attack(async () => {
      await insert({ ...fake, transaction_id: firstEvent.transaction_id, global_position: String(Number(firstEvent.global_position) + 100_000) });
      await sql.query('INSERT INTO streams (stream_id, version, last_hash) VALUES ($1, 1, $2)', [fake.stream_id, fake.metadata.hash]);
    });
    try {
      await expectCaught(/seal-root/);
    } finally {
      await attack(async () => {
        await sql.query('DELETE FROM messages WHERE stream_id = $1', [fake.stream_id]);
        await sql.query('DELETE FROM streams WHERE stream_id = $1', [fake.stream_id]);
      });
    }
    await expectHolds();
  });

  it('catches a made-up ResultSubmitted appended after the last seal but dated before it', async () => {
    const [firstEvent] = await rows(streams.get(1)!);
    const fake = madeUpSubmission(tps(10), firstEvent, new Date(Date.parse(seals[1].at) - 30 * 60_000).toISOString());
    await attack(async () => {
      await sql.query(
        `INSERT INTO messages (stream_id, stream_position, type, data, metadata) VALUES ($1, 1, $2, $3, $4)`,
        [fake.stream_id, fake.type, JSON.stringify(fake.data), JSON.stringify(fake.metadata)],
      );
      await sql.query('INSERT INTO streams (stream_id, version, last_hash) VALUES ($1, 1, $2)', [fake.stream_id, fake.metadata.hash]);
    });
    try {
      const out = await expectCaught(/seal-backdated/);
      expect(out).toContain(fake.stream_id);
    } finally {
      await attack(async () => {
        await sql.query('DELETE FROM messages WHERE stream_id = $1', [fake.stream_id]);
        await sql.query('DELETE FROM streams WHERE stream_id = $1', [fake.stream_id]);
      });
    }
    await expectHolds();
  });

  it('refuses seals signed by another key, and a key given on the command line that is not the signer', async () => {
    const other = await runCli(['verify-chain', '--seals', sealsFile, '--public-key', Buffer.alloc(32, 7).toString('base64')], {
      DATABASE_URL: t.config.databaseUrl!, DATA_DIR: t.config.dataDir,
    });
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/seal-signature\tseal 1 .*not signed by a trusted key/);
    const pinned = await runCli(['verify-chain', '--seals', sealsFile, '--public-key', seals[1].publicKey], { DATABASE_URL: t.config.databaseUrl! });
    expect(pinned.code, pinned.stdout).toBe(0);
    expect(pinned.stdout).toMatch(/key given with --public-key/);
  });

  /** A ResultSubmitted for a TPS that never reported, hashed with the app's own function. */
  function madeUpSubmission(tpsCode: string, like: Row, at = like.metadata.at): Row {
    const electionId = String(like.data.electionId);
    const streamId = like.stream_id.replace(/-\d{13}-PPWP$/, `-${tpsCode}-PPWP`);
    const { prevHash: _p, hash: _h, ...metadata } = like.metadata;
    const event = chainEvent(
      {
        streamId, streamPosition: 1, type: 'ResultSubmitted',
        data: { electionId, tpsCode, ballot: 'PPWP', clientRequestId: 'made-up-0001', form: ppwpForm({ '01': 200, '02': 1, '03': 1 }), flags: [] },
        metadata: { ...(metadata as never as Parameters<typeof chainEvent>[0]['metadata']), at, requestId: 'made-up' },
      },
      '',
    );
    return { ...like, stream_id: streamId, stream_position: 1, type: event.type, data: event.data, metadata: event.metadata as Row['metadata'] };
  }
});

postgresSuiteGuard();
