import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { desaOf, resultStreamId, type Ballot, type CHasilForm } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { createPostgresTestDatabase, describeIfPostgres, openTestPglite } from '../db/test-support/test-database';
import type { NewEvent } from '../eventstore/event-store.port';
import { auditProjection } from './audit.projection';
import { isResultStreamEvent } from './current-result';
import { PROJECTIONS } from './definitions';
import type { ProjectionBatch, ProjectionDefinition } from './projection-definition';
import { readCheckpoint, TALLIES_PROJECTION } from './projection-store';
import { applyBatch, Projector } from './projector';
import { checkTallies, rebuildProjections } from './rebuild';
import { talliesProjection } from './tally.projection';
import { TallyChangeFeed, type TallyChange } from './tally-changes';
import { corrected, flatForm, submitted, verified } from './test-support/result-events';
import { crashingDatabase, projectionFixture, slowCommits, type ProjectionFixture } from './test-support/projection-fixture';

const E = 'labusel-2024-sim1';
const KOTAPINANG_DESA = '1222011001';

/** A deterministic PPWP form for the i-th TPS. */
const formFor = (i: number): CHasilForm => flatForm({ '01': 10 + (i % 7), '02': 40 + (i % 11), '03': 5 + (i % 3) }, i % 4);

function defineSuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>) {
  let f: ProjectionFixture;
  let close: () => Promise<void>;
  const projectors: Projector[] = [];

  beforeAll(async () => {
    const opened = await open();
    close = opened.close;
    f = await projectionFixture(opened.db);
  });
  afterAll(async () => {
    await f?.store.close();
    await close?.();
  });
  beforeEach(async () => {
    await Promise.all(projectors.splice(0).map((p) => p.stop()));
    await f.reset();
  });

  const tpsCodes = (n: number, offset = 0) => f.election.allTps().slice(offset, offset + n).map((t) => t.code);
  const submissions = (codes: string[], ballot: Ballot = 'PPWP', electionId = E): NewEvent[] =>
    codes.map((code, i) => submitted(electionId, code, ballot, formFor(i)));

  function projector(db: SqlDatabase = f.db, options: ConstructorParameters<typeof Projector>[2] = {}): Projector {
    const p = new Projector(db, f.store, { batchSize: 25, ...options });
    projectors.push(p);
    return p;
  }

  async function projectAll(p: Projector = projector()): Promise<Projector> {
    await p.start();
    await p.waitFor(f.last);
    return p;
  }

  it('projects every level from the events; the incremental tallies equal the recomputation', async () => {
    const codes = tpsCodes(120);
    await f.append(submissions(codes));
    await f.append([verified(E, codes[0], 'PPWP'), verified(E, codes[1], 'PPWP')]);
    await projectAll();

    const check = await checkTallies(f.db, f.store);
    expect(check).toMatchObject({ ok: true, differences: [], events: 122, position: f.last });
    const kab = await f.tallies.getTally(E, '1222', 'PPWP');
    const expectedValid = codes.reduce((sum, _c, i) => sum + formFor(i).valid, 0);
    expect(kab.totals.valid).toBe(expectedValid);
    expect(kab.progress).toEqual({ tpsTotal: 1025, tpsReported: 120, tpsVerified: 2, tpsWithPhoto: 0 });
    expect(kab.children.reduce((s, c) => s + c.totals.valid, 0)).toBe(expectedValid);
    expect(kab.position).toBe(f.last);
  });

  it('a correction moves the numbers at TPS, desa, kecamatan, kabupaten and provinsi by (new − old)', async () => {
    const [tps, other] = tpsCodes(2);
    const before = flatForm({ '01': 50, '02': 120, '03': 10 }, 4);
    const after = flatForm({ '01': 60, '02': 110, '03': 10 }, 2);
    await f.append([submitted(E, tps, 'PPWP', before), submitted(E, other, 'PPWP', flatForm({ '01': 1, '02': 2, '03': 3 })), verified(E, tps, 'PPWP')]);
    const p = await projectAll();
    const levels = [tps, KOTAPINANG_DESA, '122201', '1222', '12'];
    const was = await Promise.all(levels.map((code) => f.tallies.getTally(E, code, 'PPWP')));

    await f.append([corrected(E, tps, 'PPWP', before, after)]);
    await p.waitFor(f.last);
    const now = await Promise.all(levels.map((code) => f.tallies.getTally(E, code, 'PPWP')));
    for (let i = 0; i < levels.length; i++) {
      expect(now[i].totals.votes['01'] - was[i].totals.votes['01']).toBe(10);
      expect(now[i].totals.votes['02'] - was[i].totals.votes['02']).toBe(-10);
      expect(now[i].totals.votes['03']).toBe(was[i].totals.votes['03']);
      expect(now[i].totals.invalid - was[i].totals.invalid).toBe(-2);
      expect(now[i].totals.valid).toBe(was[i].totals.valid);
      expect(now[i].progress.tpsReported).toBe(was[i].progress.tpsReported);
      // A corrected result needs a fresh verification.
      expect(was[i].progress.tpsVerified - now[i].progress.tpsVerified).toBe(1);
    }
    expect(now[0].totals).toEqual({ votes: { '01': 60, '02': 110, '03': 10 }, valid: 180, invalid: 2 });
    const desa = now[1];
    expect(desa.children.find((c) => c.code === tps)).toMatchObject({ level: 'tps', status: 'corrected', totals: now[0].totals });
    expect(desa.children.find((c) => c.code === other)).toMatchObject({ status: 'submitted' });
    expect(desa.children.filter((c) => c.status === 'empty').length).toBe(desa.children.length - 2);
    expect((await checkTallies(f.db, f.store)).ok).toBe(true);
  });

  it('exactly once: a crash inside a batch transaction, then a retry and a restart, never counts an event twice', async () => {
    await f.append(submissions(tpsCodes(100)));
    // The batch's writes (read models and checkpoint, one statement) run, then the process dies before COMMIT.
    let crash: 'third batch once' | 'from the third batch on' | 'never' = 'third batch once';
    let batches = 0;
    let crashes = 0;
    const crashing = crashingDatabase(
      f.db,
      /UPDATE projection_checkpoints\s+SET position/,
      () => {
        batches += 1;
        return (crash === 'third batch once' && batches === 3) || (crash === 'from the third batch on' && batches >= 3);
      },
      () => (crashes += 1),
    );
    const first = projector(crashing);
    await first.start();
    await first.waitFor(f.last); // the subscription retried the failed batch
    expect(crashes).toBe(1);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 100 });
    await first.stop();

    // Now the process dies in the middle of a batch and stays dead until a fresh projector starts.
    await f.append(submissions(tpsCodes(100, 100)));
    batches = 0;
    crash = 'from the third batch on';
    const second = projector(crashing);
    await second.start();
    await waitUntil(() => crashes >= 2);
    await second.stop();
    crash = 'never';
    const mid = await checkTallies(f.db, f.store);
    expect(mid.ok).toBe(true);
    // Some batches of the second hundred were projected before the crash, not all.
    expect(mid.events).toBeGreaterThan(100);
    expect(mid.events).toBeLessThan(200);

    await projectAll();
    const done = await checkTallies(f.db, f.store);
    expect(done).toMatchObject({ ok: true, events: 200, differences: [] });
    const kab = await f.tallies.getTally(E, '1222', 'PPWP');
    expect(kab.progress.tpsReported).toBe(200);
    expect(kab.totals.valid).toBe([...tpsCodes(100), ...tpsCodes(100, 100)].reduce((s, _c, i) => s + formFor(i % 100).valid, 0));
  });

  it('exactly once across a stop between batches and a restart from the stored checkpoint', async () => {
    await f.append(submissions(tpsCodes(60)));
    const first = projector(f.db, { batchSize: 10 });
    await first.start();
    await first.waitFor('0:1'); // at least one batch committed
    await first.stop();
    const stoppedAt = first.position;
    await f.append([...submissions(tpsCodes(60, 60)), verified(E, tpsCodes(1)[0], 'PPWP')]);
    const second = await projectAll(projector(f.db, { batchSize: 10 }));
    expect(second.position).toBe(f.last);
    expect(stoppedAt).not.toBe(second.position);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 121 });
    expect((await f.tallies.getTally(E, '12', 'PPWP')).progress).toMatchObject({ tpsReported: 120, tpsVerified: 1 });
  });

  it('two projectors on one database: the lease lets one project, the tallies stay exact', async () => {
    await f.append(submissions(tpsCodes(80)));
    const a = projector(f.db, { leaseSeconds: 30 });
    const b = projector(f.db, { leaseSeconds: 30 });
    await Promise.all([a.start(), b.start()]);
    await Promise.race([a.waitFor(f.last), b.waitFor(f.last)]);
    await f.append(submissions(tpsCodes(40, 80)));
    await Promise.race([a.waitFor(f.last), b.waitFor(f.last)]);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 120 });
  });

  it('the leader keeps its lease while idle (heartbeat), so a standby stays out until the leader is gone', async () => {
    await f.append(submissions(tpsCodes(10)));
    const a = await projectAll(projector(f.db, { leaseSeconds: 0.5 }));
    const leaseOf = async () =>
      (await f.db.query<{ owner: string | null; leased: boolean }>(
        `SELECT owner, coalesce(lease_until > now(), false) AS leased FROM projection_checkpoints WHERE name = $1`, [TALLIES_PROJECTION],
      )).rows[0];
    // Four leases long with no events: without the heartbeat the lease would have run out.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await leaseOf()).toEqual({ owner: a.owner, leased: true });
    const b = projector(f.db, { leaseSeconds: 0.5 });
    await b.start();
    await f.append(submissions(tpsCodes(10, 10)));
    await a.waitFor(f.last);
    expect((await leaseOf()).owner).toBe(a.owner);
    await a.stop();
    await f.append(submissions(tpsCodes(10, 20)));
    await b.waitFor(f.last);
    expect(await leaseOf()).toEqual({ owner: b.owner, leased: true });
    await b.stop();
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 30 });
  });

  it('rebuild from zero restores tampered tallies; check reports the tampering first', async () => {
    const codes = tpsCodes(50);
    await f.append([...submissions(codes), ...submissions(codes.slice(0, 10), 'DPD'), verified(E, codes[3], 'PPWP')]);
    await projectAll();
    const honest = await f.tallies.getTally(E, '122201', 'PPWP');

    await f.db.query(`UPDATE region_tallies SET valid = valid + 7, votes = jsonb_set(votes, '{02}', to_jsonb((votes->>'02')::int - 1)) WHERE region_code = '122201' AND ballot = 'PPWP'`);
    const tampered = await checkTallies(f.db, f.store);
    expect(tampered.ok).toBe(false);
    expect(tampered.differences).toEqual([
      { electionId: E, regionCode: '122201', ballot: 'PPWP', field: 'valid', expected: honest.totals.valid, actual: honest.totals.valid + 7 },
      { electionId: E, regionCode: '122201', ballot: 'PPWP', field: 'votes.02', expected: honest.totals.votes['02'], actual: honest.totals.votes['02'] - 1 },
    ]);

    await f.db.query(`UPDATE result_current SET status = 'verified', form = jsonb_set(form::jsonb, '{invalid}', '99')::json WHERE tps_code = $1 AND ballot = 'PPWP'`, [codes[5]]);
    const tamperedTps = await checkTallies(f.db, f.store);
    expect(tamperedTps.differences.filter((d) => d.regionCode === codes[5])).toEqual([
      { electionId: E, regionCode: codes[5], ballot: 'PPWP', field: 'status', expected: 'submitted', actual: 'verified' },
      { electionId: E, regionCode: codes[5], ballot: 'PPWP', field: 'invalid', expected: formFor(5).invalid, actual: 99 },
    ]);

    await f.visible();
    const report = await rebuildProjections(f.db, f.store, { batchSize: 7 });
    expect(report).toMatchObject({ events: 61, position: f.last });
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 61 });
    const rebuilt = await f.tallies.getTally(E, '122201', 'PPWP');
    expect({ ...rebuilt, updatedAt: null }).toEqual({ ...honest, updatedAt: null });
    expect((await f.db.query('SELECT count(*)::int AS n FROM result_audit')).rows[0]).toEqual({ n: 61 });

    // A fold that may hold only one row in memory writes during the rebuild, adding to what it wrote.
    await rebuildProjections(f.db, f.store, { batchSize: 7, maxHeld: 1 });
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 61 });
    expect({ ...(await f.tallies.getTally(E, '122201', 'PPWP')), updatedAt: null }).toEqual({ ...honest, updatedAt: null });
  });

  it('a rebuild ends where the projector ends when a stream\'s submission, photos, verification and correction fall in different batches', async () => {
    const codes = tpsCodes(40);
    const photo = (i: number, page: number): NewEvent => ({
      type: 'PhotoAttached',
      data: { electionId: E, tpsCode: codes[i], ballot: 'PPWP', sha256: `${i}`.padStart(64, 'a'), contentType: 'image/jpeg', bytes: 100 + page, width: 800, height: 600, page },
      metadata: { userId: 'op-1', username: 'operator-1', role: 'operator', at: '2024-02-14T10:05:00.000Z', requestId: `photo-${i}-${page}`, electionId: E },
    });
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    await f.append([
      ...submissions(codes),
      ...range(0, 10).map((i) => photo(i, 1)),
      ...range(0, 20).map((i) => verified(E, codes[i], 'PPWP')),
      ...range(20, 25).map((i) => corrected(E, codes[i], 'PPWP', formFor(i), formFor(i + 1))),
      ...range(5, 15).map((i) => photo(i, 2)),
      ...range(15, 20).map((i) => corrected(E, codes[i], 'PPWP', formFor(i), formFor(i + 2))),
      // Each verified right after its submission: one batch ends between them every few pairs.
      ...range(0, 12).flatMap((i) => [submitted(E, codes[i], 'DPD', formFor(i)), verified(E, codes[i], 'DPD')]),
    ]);
    await projectAll();
    const projected = await readModels();
    await f.visible();
    // Batches of three, committed slowly: most streams are read back while earlier batches are still
    // being written (on PostgreSQL), so the reads must wait for those writes.
    await rebuildProjections(slowCommits(f.db, 15), f.store, { batchSize: 3 });
    expect(await readModels()).toEqual(projected);
    expect(projected.result_current.filter((r) => r.status === 'corrected')).toHaveLength(10);
    expect(projected.result_current.filter((r) => r.ballot === 'DPD' && r.status === 'verified' && r.form !== null)).toHaveLength(12);
    expect(projected.tps_photo_status).toHaveLength(15);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true });
  });

  /**
   * Every row of the read models the rebuild writes, without their write times (nor, for the sums,
   * the checkpoint of the batch that last wrote them: that depends on how the log was cut in batches).
   */
  async function readModels(): Promise<Record<string, Array<Record<string, unknown>>>> {
    const tables = ['result_current', 'result_audit', 'result_photos', 'tps_photo_status', 'region_tallies', 'region_photo_progress'];
    const models: Record<string, Array<Record<string, unknown>>> = {};
    for (const table of tables) {
      const { rows } = await f.db.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
      const sums = table.startsWith('region_');
      models[table] = rows
        .map(({ updated_at: _, position, ...row }) => (sums ? row : { ...row, position }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return models;
  }

  it('a running projector stands by during a rebuild and continues after it', async () => {
    await f.append(submissions(tpsCodes(30)));
    const p = await projectAll(projector(f.db, { leaseSeconds: 1 }));
    await rebuildProjections(f.db, f.store);
    await f.append(submissions(tpsCodes(30, 30)));
    await p.waitFor(f.last);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 60 });
  });

  it('rebuilds into shadow tables while the live ones serve; one that dies half way leaves them untouched, the next starts over', async () => {
    await f.append(submissions(tpsCodes(60)));
    const live = await projectAll(projector(f.db));
    const honest = await f.tallies.getTally(E, '122201', 'PPWP');
    // A tampered live row shows which tables a rebuild wrote: the dead one must not touch it.
    await f.db.query(`UPDATE region_tallies SET valid = valid + 7 WHERE region_code = '122201' AND ballot = 'PPWP'`);
    let batches = 0;
    const dies = rebuildProjections(f.db, f.store, {
      batchSize: 10,
      onProgress: () => {
        if (++batches === 3) throw new Error('killed half way');
      },
    });
    await expect(dies).rejects.toThrow('killed half way');
    expect((await f.tallies.getTally(E, '122201', 'PPWP')).totals.valid).toBe(honest.totals.valid + 7);
    // The live projector kept going meanwhile, into the live tables.
    await f.append(submissions(tpsCodes(10, 60)));
    await live.waitFor(f.last);
    expect((await f.tallies.getTally(E, '122201', 'PPWP')).progress.tpsReported).toBe(70);

    // The next rebuild starts over; what is appended while it runs is in its result too.
    let appended = false;
    const report = await rebuildProjections(f.db, f.store, {
      batchSize: 10,
      onProgress: async () => {
        if (appended) return;
        appended = true;
        await f.append(submissions(tpsCodes(5, 70)));
      },
    });
    expect(report.events).toBeGreaterThanOrEqual(70);
    await live.waitFor(f.last);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 75 });
    expect((await f.tallies.getTally(E, '122201', 'PPWP')).progress.tpsReported).toBe(75);
    const { rows } = await f.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'suara_rebuild'`);
    expect(rows).toEqual([]);
  });

  it('keeps simulation runs and the real election apart', async () => {
    const codes = tpsCodes(5);
    await f.append([...submissions(codes, 'PPWP', E), ...submissions(codes.slice(0, 2), 'PPWP', 'labusel-2024')]);
    await projectAll();
    expect((await f.tallies.getTally(E, '1222', 'PPWP')).progress.tpsReported).toBe(5);
    expect((await f.tallies.getTally('labusel-2024', '1222', 'PPWP')).progress.tpsReported).toBe(2);
    expect((await f.tallies.getTally('labusel-2024-sim2', '1222', 'PPWP')).totals).toEqual({ votes: {}, valid: 0, invalid: 0 });
  });

  it('lists flagged results worst first', async () => {
    const [a, b, c] = tpsCodes(3);
    const flag = (code: string) => ({ code, message: code });
    await f.append([
      submitted(E, a, 'PPWP', formFor(0), [flag('high_invalid')]),
      submitted(E, b, 'PPWP', formFor(1), [flag('empty_result'), flag('turnout_over_dpt')]),
      submitted(E, c, 'PPWP', formFor(2)),
      submitted(E, a, 'DPD', flatForm({ '1': 3 }), [flag('option_over_300')]),
    ]);
    await projectAll();
    const all = await f.tallies.listAnomalies(E, undefined);
    expect(all.map((x) => [x.tpsCode, x.ballot])).toEqual([[b, 'PPWP'], [a, 'DPD'], [a, 'PPWP']]);
    expect(all[0]).toMatchObject({ status: 'submitted', version: 1, flags: [{ code: 'turnout_over_dpt' }, { code: 'empty_result' }] });
    expect((await f.tallies.listAnomalies(E, 'DPD')).map((x) => x.tpsCode)).toEqual([a]);
  });

  it('signals the changed regions in process and, by NOTIFY, to other processes', async () => {
    const here = new TallyChangeFeed(f.db);
    const elsewhere = new TallyChangeFeed(f.db);
    const local: TallyChange[] = [];
    const remote: TallyChange[] = [];
    await here.onChange((c) => local.push(c));
    await elsewhere.onChange((c) => remote.push(c));
    try {
      const [tps] = tpsCodes(1);
      await f.append([submitted(E, tps, 'PPWP', formFor(0))]);
      const p = projector(f.db, { origin: here.origin, onCommitted: (c) => here.publish(c) });
      await projectAll(p);
      const expected = { position: f.last, regions: [{ electionId: E, ballot: 'PPWP', regionCodes: ['12', '1222', '122201', KOTAPINANG_DESA] }] };
      await waitUntil(() => remote.length > 0);
      expect(local).toEqual([expected]);
      expect(remote).toEqual([expected]);
    } finally {
      await here.close();
      await elsewhere.close();
    }
  });

  /** A definition of the test's own: one row per result transition it is handed, in its own table. */
  async function probeProjection(): Promise<ProjectionDefinition & { seen: ProjectionBatch[] }> {
    await f.db.exec('CREATE TABLE IF NOT EXISTS probe_transitions (stream text NOT NULL, before_version int, after_version int NOT NULL, position text NOT NULL)');
    await f.db.exec('TRUNCATE probe_transitions');
    const seen: ProjectionBatch[] = [];
    return {
      name: 'probe',
      canHandle: isResultStreamEvent,
      tables: ['probe_transitions'],
      seen,
      async project(batch) {
        seen.push(batch);
        const rows = batch.results.map((t) => ({ s: `${t.after.tpsCode}/${t.after.ballot}`, b: t.before?.version ?? null, a: t.after.version, p: batch.position }));
        const sql = `INSERT INTO probe_transitions SELECT s, b, a, p FROM json_to_recordset($1::json) AS r(s text, b int, a int, p text)`;
        return { writes: [{ sql, params: [JSON.stringify(rows)] }] };
      },
    };
  }
  const count = async (table: string) => (await f.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  it('a second definition in the list sees the same transitions, its writes commit in the batch transaction, a rebuild empties its tables', async () => {
    const probe = await probeProjection();
    const talliesSaw: ProjectionBatch[] = [];
    const tallies: ProjectionDefinition = { ...talliesProjection, project: (batch, tx) => (talliesSaw.push(batch), talliesProjection.project(batch, tx)) };
    const codes = tpsCodes(30);
    await f.append([...submissions(codes), verified(E, codes[0], 'PPWP')]);
    // The second batch's writes all run, then the process dies before COMMIT; the retry applies it.
    let batches = 0;
    let crashes = 0;
    const crashing = crashingDatabase(f.db, /UPDATE projection_checkpoints\s+SET position/, () => ++batches === 2, () => (crashes += 1));
    await projectAll(projector(crashing, { projections: [tallies, auditProjection, probe] }));

    expect(crashes).toBe(1);
    expect(probe.seen.length).toBe(3); // two batches, the second twice
    expect(probe.seen.map((b) => b.results)).toEqual(talliesSaw.map((b) => b.results));
    expect(probe.seen.map((b) => b.position)).toEqual(talliesSaw.map((b) => b.position));
    expect(probe.seen[1]).toEqual(probe.seen[2]);
    // Exactly once: one row per transition of the committed batches (25 + 5 submissions, then the verification).
    const rows = await f.db.query<{ stream: string; before_version: number | null; after_version: number; position: string }>(
      'SELECT stream, before_version, after_version, position FROM probe_transitions ORDER BY stream, after_version',
    );
    expect(rows.rows.length).toBe(31);
    expect(rows.rows.filter((r) => r.stream === `${codes[0]}/PPWP`)).toEqual([
      { stream: `${codes[0]}/PPWP`, before_version: null, after_version: 1, position: probe.seen[0].position },
      { stream: `${codes[0]}/PPWP`, before_version: 1, after_version: 2, position: f.last },
    ]);
    const current = await f.db.query<{ tps_code: string; version: number }>("SELECT tps_code, version FROM result_current WHERE ballot = 'PPWP'");
    expect(current.rows.length).toBe(30);
    for (const r of current.rows) expect(r.version).toBe(r.tps_code === codes[0] ? 2 : 1);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 31 });

    await f.visible();
    await rebuildProjections(f.db, f.store, { projections: [talliesProjection, auditProjection, probe] });
    // Emptied and replayed in one batch: one transition per stream.
    expect(await count('probe_transitions')).toBe(30);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 31 });
  });

  it('a definition that throws rolls the whole batch back; the batch is applied once when it stops throwing', async () => {
    await f.append(submissions(tpsCodes(10)));
    let failures = 2;
    const flaky: ProjectionDefinition = {
      name: 'flaky',
      canHandle: isResultStreamEvent,
      tables: [],
      async project() {
        if (failures > 0) {
          failures -= 1;
          throw new Error('flaky definition');
        }
        return { writes: [] };
      },
    };
    const projections = [...PROJECTIONS, flaky];
    const batch = await f.store.readAll('0', 100);
    expect(batch.events.length).toBe(10);
    const target = { name: TALLIES_PROJECTION, owner: 'spec', leaseSeconds: 5, origin: 'spec' };
    await expect(applyBatch(f.db, target, '0', batch, projections)).rejects.toThrow('flaky definition');
    expect(await readCheckpoint(f.db, TALLIES_PROJECTION)).toBe('0');
    for (const table of ['result_current', 'region_tallies', 'result_audit']) expect(await count(table)).toBe(0);

    // A projector's subscription retries the batch from the same checkpoint until it goes through.
    await projectAll(projector(f.db, { projections }));
    expect(failures).toBe(0);
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 10 });
    expect(await count('result_audit')).toBe(10);
    expect((await f.tallies.getTally(E, '1222', 'PPWP')).progress.tpsReported).toBe(10);
  });

  it('an event type the runtime does not know still moves result_current.version (and nothing else)', async () => {
    const local: TallyChange[] = [];
    const [tps] = tpsCodes(1);
    const photoFirst = tpsCodes(200).find((code) => desaOf(code) !== desaOf(tps)) as string;
    const pushedFor = (code: string) => local.some((c) => c.regions?.some((r) => r.regionCodes.includes(desaOf(code))));
    const photo = (code: string): NewEvent => ({ type: 'SomeFutureEvent', data: { electionId: E, tpsCode: code, ballot: 'PPWP', sha256: 'ab'.repeat(32) }, metadata: submitted(E, code, 'PPWP', formFor(0)).metadata });
    await f.append([submitted(E, tps, 'PPWP', formFor(0)), photo(tps), photo(photoFirst)]);
    const p = await projectAll(projector(f.db, { onCommitted: (c) => local.push(c) }));
    const current = await f.db.query<{ tps_code: string; status: string; version: number; position: string }>(
      "SELECT tps_code, status, version, position FROM result_current WHERE ballot = 'PPWP' ORDER BY tps_code",
    );
    expect(current.rows).toEqual([
      { tps_code: tps, status: 'submitted', version: 2, position: (await f.store.read(resultStreamId(E, tps, 'PPWP')))[1].checkpoint },
      { tps_code: photoFirst, status: 'empty', version: 1, position: f.last },
    ]);
    expect((await f.tallies.getTally(E, '1222', 'PPWP')).progress).toMatchObject({ tpsReported: 1 });
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 3 });
    // A photo alone changes no tally view, so it pushes nothing for its desa.
    expect(pushedFor(tps)).toBe(true);
    expect(pushedFor(photoFirst)).toBe(false);

    // The numbers come after the photo: counted, at version 2.
    await f.append([submitted(E, photoFirst, 'PPWP', formFor(1))]);
    await p.waitFor(f.last);
    expect((await f.tallies.getTally(E, '1222', 'PPWP')).progress).toMatchObject({ tpsReported: 2 });
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true, events: 4, differences: [] });
    expect(pushedFor(photoFirst)).toBe(true);
    expect(await count('result_audit')).toBe(4);
  });

  it('unknown regions are refused with 404', async () => {
    await expect(f.tallies.getTally(E, '1299', 'PPWP')).rejects.toMatchObject({ status: 404 });
    await expect(f.tallies.getTally(E, '1222011001999', 'PPWP')).rejects.toMatchObject({ status: 404 });
    const tps = await f.tallies.getTally(E, tpsCodes(1)[0], 'PPWP');
    expect(tps).toMatchObject({ region: { level: 'tps' }, children: [], progress: { tpsTotal: 1, tpsReported: 0 }, position: '0' });
  });
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

describe('projector on PGlite', () => {
  defineSuite(async () => {
    const db = await openTestPglite();
    return { db, close: () => db.close() };
  });
});

describeIfPostgres('projector on PostgreSQL', () => {
  defineSuite(async () => {
    const pg = await createPostgresTestDatabase({ max: 6 });
    return { db: pg.db, close: () => pg.drop() };
  });
});
