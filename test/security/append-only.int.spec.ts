import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../../services/src/db/sql';
import { SQL_DATABASE } from '../../services/src/db/tokens';
import { backends, bootApp, ppwpForm, type TestApp } from '../support/app';

/**
 * The database refuses to change the event log: UPDATE and DELETE of events, a stream head moved
 * back, a seal edited. A guard against mistakes (the owner can switch triggers off; the seals
 * catch that, see sealed-history.int.spec.ts). The service itself never needs to: the simulation
 * reset starts a new election id and leaves every event where it was.
 */
describe.each(backends())('append-only event log (%s)', (backend) => {
  let t: TestApp;
  let db: SqlDatabase;
  let streamId: string;
  const TPS = '1222011001001';

  beforeAll(async () => {
    t = await bootApp(backend, { SUARA_SEAL_INTERVAL: '3600' });
    db = t.app.get<SqlDatabase>(SQL_DATABASE);
    const operator = await t.userClient('operator', ['1222011001']);
    await operator.submit({ tpsCode: TPS, ballot: 'PPWP', clientRequestId: `append-only-${Date.now()}`, form: ppwpForm({ '01': 5, '02': 6, '03': 7 }) });
    await (await t.userClient('verifier')).verify(TPS, 'PPWP', 1);
    const { rows } = await db.query<{ stream_id: string }>(`SELECT stream_id FROM messages WHERE data->>'tpsCode' = $1 LIMIT 1`, [TPS]);
    streamId = rows[0].stream_id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const refused = /refused: (the event log is append-only|a stream head never moves back)/;

  it('refuses UPDATE and DELETE of events', async () => {
    await expect(db.query(`UPDATE messages SET data = jsonb_set(data, '{form,votes,01}', '500') WHERE stream_id = $1`, [streamId])).rejects.toThrow(
      /UPDATE on messages refused: the event log is append-only/,
    );
    await expect(db.query('DELETE FROM messages WHERE stream_id = $1 AND stream_position = 2', [streamId])).rejects.toThrow(
      /DELETE on messages refused: the event log is append-only/,
    );
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages WHERE stream_id = $1', [streamId]);
    expect(rows[0].n).toBe('2');
  });

  it('refuses to move a stream head back, change its hash in place, or delete it', async () => {
    await expect(db.query('UPDATE streams SET version = 1 WHERE stream_id = $1', [streamId])).rejects.toThrow(refused);
    await expect(db.query(`UPDATE streams SET last_hash = 'x' WHERE stream_id = $1`, [streamId])).rejects.toThrow(refused);
    await expect(db.query('DELETE FROM streams WHERE stream_id = $1', [streamId])).rejects.toThrow(refused);
  });

  it('refuses to edit or remove a seal', async () => {
    await t.admin.sealNow();
    await expect(db.query(`UPDATE integrity_seals SET record = jsonb_set(record, '{root}', '"00"')`)).rejects.toThrow(/UPDATE on integrity_seals refused/);
    await expect(db.query('DELETE FROM integrity_seals')).rejects.toThrow(/DELETE on integrity_seals refused/);
  });

  it('lets the service go on appending, and the simulation reset needs no change to the log', async () => {
    const before = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages');
    await t.admin.resetSimulation();
    const operator = await t.userClient('operator', ['1222011001']);
    const answer = await operator.submit({ tpsCode: TPS, ballot: 'PPWP', clientRequestId: `append-only-2-${Date.now()}`, form: ppwpForm({ '01': 1, '02': 2, '03': 3 }) });
    expect(answer.status).toBe(201);
    const after = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages');
    expect(Number(after.rows[0].n)).toBe(Number(before.rows[0].n) + 1);
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages WHERE stream_id = $1', [streamId]);
    expect(rows[0].n).toBe('2');
  });
});
