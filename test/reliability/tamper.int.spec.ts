import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { Client } from 'pg';
import type { SuaraClient } from '@suara/contracts';
import { describeIfPostgres } from '../../services/src/db/test-support/test-database';
import { bootApp, ppwpForm, type TestApp } from '../support/app';
import { postgresSuiteGuard, runCli, type CliResult } from '../support/reliability';
import { ROOT } from '../support/server';

/**
 * Tamper evidence: `verify-chain` (the documented operations command) walks every stream's hash
 * chain. Events are appended through the API, then altered directly in PostgreSQL's messages
 * table: the command must exit non-zero and name the stream, and exit 0 again once undone.
 */

const DESA = '1222011001';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;

interface MessageRow {
  global_position: string;
  stream_id: string;
  stream_position: string;
  transaction_id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  created_at: Date;
}

describeIfPostgres('tamper evidence: verify-chain on PostgreSQL', () => {
  let t: TestApp;
  let sql: Client;
  let databaseUrl: string;
  /** Stream ids of the results, by TPS number. */
  const streams = new Map<number, string>();

  const verifyChain = (): Promise<CliResult> => runCli(['verify-chain'], { DATABASE_URL: databaseUrl });

  async function rows(streamId: string): Promise<MessageRow[]> {
    const { rows } = await sql.query<MessageRow>(
      `SELECT global_position::text, stream_id, stream_position::text, transaction_id::text, type, data, metadata, created_at
       FROM messages WHERE stream_id = $1 ORDER BY stream_position`,
      [streamId],
    );
    return rows;
  }

  async function reinsert(r: MessageRow) {
    await sql.query(
      `INSERT INTO messages (global_position, stream_id, stream_position, transaction_id, type, data, metadata, created_at)
       VALUES ($1, $2, $3, $4::xid8, $5, $6, $7, $8)`,
      [r.global_position, r.stream_id, r.stream_position, r.transaction_id, r.type, JSON.stringify(r.data), JSON.stringify(r.metadata), r.created_at],
    );
  }

  /** verify-chain fails, naming this stream (and no other), then passes once `undo` ran. */
  async function expectDetected(streamId: string, undo: () => Promise<void>, problem: RegExp): Promise<string> {
    const tampered = await verifyChain();
    try {
      expect(tampered.code, tampered.stdout + tampered.stderr).not.toBe(0);
      expect(tampered.stdout).toContain(streamId);
      expect(tampered.stdout).toMatch(problem);
      const named = new Set([...streams.values()].filter((s) => tampered.stdout.includes(s)));
      expect([...named]).toEqual([streamId]);
    } finally {
      await undo();
    }
    const intact = await verifyChain();
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);
    return tampered.stdout;
  }

  beforeAll(async () => {
    t = await bootApp('postgres', { SUARA_SEAL_INTERVAL: '3600' });
    databaseUrl = t.config.databaseUrl!;
    const operator: SuaraClient = await t.userClient('operator', [DESA]);
    const verifier: SuaraClient = await t.userClient('verifier');
    for (let n = 1; n <= 4; n++) {
      await operator.submit({ tpsCode: tps(n), ballot: 'PPWP', clientRequestId: `tamper-${n}-${Date.now()}`, form: ppwpForm({ '01': 10 * n, '02': 20, '03': 5 }) });
    }
    // Streams of 1, 2 and 3 events.
    await verifier.verify(tps(2), 'PPWP', 1);
    await verifier.verify(tps(3), 'PPWP', 1);
    await verifier.correct(tps(3), 'PPWP', {
      expectedVersion: 2,
      form: ppwpForm({ '01': 31, '02': 20, '03': 5 }),
      reason: 'salah salin angka paslon 01',
      operatorConfirmation: 'dikonfirmasi via telepon',
    });
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    // As the table owner, who can switch the append-only guard (a trigger) off: the guard stops
    // mistakes, not this; the signed seals do (sealed-history.int.spec.ts).
    await sql.query('SET session_replication_role = replica');
    const { rows: all } = await sql.query<{ stream_id: string; data: { tpsCode: string } }>(
      `SELECT DISTINCT ON (stream_id) stream_id, data FROM messages WHERE data ? 'tpsCode' ORDER BY stream_id, stream_position`,
    );
    for (const r of all) streams.set(Number(r.data.tpsCode.slice(-3)), r.stream_id);
    expect(streams.size).toBe(4);
    expect((await rows(streams.get(3)!)).length).toBe(3);
  });

  afterAll(async () => {
    await sql?.end().catch(() => undefined);
    await t?.close();
  });

  it('exits 0 on an intact store and says how much it checked', async () => {
    const result = await verifyChain();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/hash chains intact: \d+ events in \d+ streams/);
    // The same through the documented root script.
    const viaNpm = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'suara', '--', 'verify-chain'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(viaNpm.code, viaNpm.out).toBe(0);
    expect(viaNpm.out).toMatch(/hash chains intact/);
  });

  it("names the stream whose event's data was edited", async () => {
    const stream = streams.get(1)!;
    const [original] = await rows(stream);
    await sql.query(
      `UPDATE messages SET data = jsonb_set(data, '{form,votes,01}', '999') WHERE stream_id = $1 AND stream_position = 1`,
      [stream],
    );
    const out = await expectDetected(stream, async () => {
      await sql.query('UPDATE messages SET data = $3 WHERE stream_id = $1 AND stream_position = $2', [stream, 1, JSON.stringify(original.data)]);
    }, /altered/);
    expect(out).toMatch(new RegExp(`altered\\t${stream}#1`));
  });

  it("names the stream whose event's metadata (who, when) was edited", async () => {
    const stream = streams.get(2)!;
    const [, verified] = await rows(stream);
    await sql.query(
      `UPDATE messages SET metadata = jsonb_set(metadata, '{at}', '"2024-02-14T23:59:00.000Z"') WHERE stream_id = $1 AND stream_position = 2`,
      [stream],
    );
    await expectDetected(stream, async () => {
      await sql.query('UPDATE messages SET metadata = $3 WHERE stream_id = $1 AND stream_position = $2', [stream, 2, JSON.stringify(verified.metadata)]);
    }, /altered/);
  });

  it('names the stream an event row was deleted from (middle and end)', async () => {
    const stream = streams.get(3)!;
    const [, middle, last] = await rows(stream);
    await sql.query('DELETE FROM messages WHERE stream_id = $1 AND stream_position = 2', [stream]);
    await expectDetected(stream, () => reinsert(middle), /position|broken-link/);

    await sql.query('DELETE FROM messages WHERE stream_id = $1 AND stream_position = 3', [stream]);
    await expectDetected(stream, () => reinsert(last), /head/);
  });

  it('names the stream whose events were swapped in order', async () => {
    const stream = streams.get(3)!;
    const before = await rows(stream);
    // Swap positions 2 and 3 (through a free position, the primary key is (stream_id, stream_position)).
    await sql.query('BEGIN');
    await sql.query('UPDATE messages SET stream_position = 1000 WHERE stream_id = $1 AND stream_position = 2', [stream]);
    await sql.query('UPDATE messages SET stream_position = 2 WHERE stream_id = $1 AND stream_position = 3', [stream]);
    await sql.query('UPDATE messages SET stream_position = 3 WHERE stream_id = $1 AND stream_position = 1000', [stream]);
    await sql.query('COMMIT');
    await expectDetected(stream, async () => {
      await sql.query('DELETE FROM messages WHERE stream_id = $1', [stream]);
      for (const r of before) await reinsert(r);
    }, /altered|broken-link/);
  });

  it('names the stream whose last event was rewritten with a freshly computed hash', async () => {
    // An insider who edits an event and recomputes its hash still breaks the stream's recorded head.
    const { eventHash } = await import('../../services/src/eventstore/hash-chain');
    const stream = streams.get(4)!;
    const [original] = await rows(stream);
    const data = structuredClone(original.data) as { form: { votes: Record<string, number>; valid: number } };
    data.form.votes['01'] += 100;
    data.form.valid += 100;
    const metadata = { ...(original.metadata as Record<string, unknown>) };
    metadata.hash = eventHash({ streamId: stream, streamPosition: 1, type: original.type, data, metadata } as never);
    await sql.query('UPDATE messages SET data = $3, metadata = $4 WHERE stream_id = $1 AND stream_position = $2', [stream, 1, JSON.stringify(data), JSON.stringify(metadata)]);
    await expectDetected(stream, async () => {
      await sql.query('UPDATE messages SET data = $3, metadata = $4 WHERE stream_id = $1 AND stream_position = $2', [stream, 1, JSON.stringify(original.data), JSON.stringify(original.metadata)]);
    }, /head/);
  });

  it('reports every tampered stream at once', async () => {
    const [one, three] = [streams.get(1)!, streams.get(3)!];
    const [first] = await rows(one);
    const [, middle] = await rows(three);
    await sql.query(`UPDATE messages SET type = 'ResultVerified' WHERE stream_id = $1 AND stream_position = 1`, [one]);
    await sql.query('DELETE FROM messages WHERE stream_id = $1 AND stream_position = 2', [three]);
    const out = await verifyChain();
    try {
      expect(out.code).not.toBe(0);
      expect(out.stdout).toContain(one);
      expect(out.stdout).toContain(three);
      expect(out.stdout).toMatch(/\d+ problem\(s\) in the hash chains/);
    } finally {
      await sql.query('UPDATE messages SET type = $2 WHERE stream_id = $1 AND stream_position = 1', [one, first.type]);
      await reinsert(middle);
    }
    expect((await verifyChain()).code).toBe(0);
  });
});

postgresSuiteGuard();
