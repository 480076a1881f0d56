import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TallyReader } from '../db/read-replica';
import type { CHasilForm } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { createPostgresTestDatabase, describeIfPostgres, openTestPglite } from '../db/test-support/test-database';
import { DapilTalliesRepository } from './dapil-tallies.repository';
import { DapilTalliesService } from './dapil-tallies.service';
import { Projector } from './projector';
import { checkTallies, rebuildProjections } from './rebuild';
import { submitted, verified } from './test-support/result-events';
import { projectionFixture, type ProjectionFixture } from './test-support/projection-fixture';

const E = 'labusel-2024-sim1';
/** A TPS in Kotapinang (placeholder dapil DPRD-LABUSEL-01) and one in Kampung Rakyat (DPRD-LABUSEL-02). */
const TPS_KOTAPINANG = '1222011001001';
const TPS_KAMPUNG_RAKYAT = '1222022001001';

/** A DPRD_KAB form: party 2 with party-only votes and candidate 1; party 3 with candidate 1. */
const pilegForm = (p2Party: number, p2c1: number, p3c1: number): CHasilForm => ({
  votes: { '2': { party: p2Party, candidates: { '1': p2c1 } }, '3': { party: 0, candidates: { '1': p3c1 } } },
  valid: p2Party + p2c1 + p3c1,
  invalid: 1,
});

function defineSuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>) {
  let f: ProjectionFixture;
  let close: () => Promise<void>;
  let dapils: DapilTalliesService;

  beforeAll(async () => {
    const opened = await open();
    close = opened.close;
    f = await projectionFixture(opened.db);
    dapils = new DapilTalliesService(f.election, new DapilTalliesRepository(new TallyReader(f.db, undefined)));
  });
  afterAll(async () => {
    await f?.store.close();
    await close?.();
  });
  beforeEach(() => f.reset());

  async function projectAll(): Promise<void> {
    const p = new Projector(f.db, f.store, { batchSize: 3 });
    await p.start();
    await p.waitFor(f.last);
    await p.stop();
  }

  it('two DPRD_KAB candidates with the same number in two dapils are never summed; the kabupaten carries party totals by dapil', async () => {
    // "Party 2, candidate 1" is one person in Kotapinang and another in Kampung Rakyat.
    await f.append([
      submitted(E, TPS_KOTAPINANG, 'DPRD_KAB', pilegForm(5, 40, 7)),
      submitted(E, TPS_KAMPUNG_RAKYAT, 'DPRD_KAB', pilegForm(3, 11, 20)),
      verified(E, TPS_KAMPUNG_RAKYAT, 'DPRD_KAB'),
    ]);
    await projectAll();

    const one = await dapils.getDapilTally(E, 'DPRD-LABUSEL-01', 'DPRD_KAB');
    const two = await dapils.getDapilTally(E, 'DPRD-LABUSEL-02', 'DPRD_KAB');
    expect(one.totals.parties['2']).toEqual({ party: 5, candidates: { '1': 40 }, total: 45 });
    expect(two.totals.parties['2']).toEqual({ party: 3, candidates: { '1': 11 }, total: 14 });
    expect(one.progress).toMatchObject({ tpsReported: 1, tpsVerified: 0 });
    expect(two.progress).toMatchObject({ tpsReported: 1, tpsVerified: 1 });
    expect(one.progress.tpsTotal).toBe(202); // every TPS of Kotapinang
    // The placeholder DPRD Labusel dapils lie wholly in the deployment: seats are projected, with their votes.
    expect(one.dapil.whole).toBe(true);
    expect(one.seatsLabel).toBe('proyeksi kursi (sementara, bukan hasil resmi)');
    // Quotients 45, 15, 9, then party 3's 7, then 45/7, 45/9, 45/11: six seats and one.
    expect(one.seats).toEqual([{ party: '2', seats: 6, votes: 45 }, { party: '3', seats: 1, votes: 7 }]);

    const kabupaten = await f.tallies.getTally(E, '1222', 'DPRD_KAB');
    expect(Object.keys(kabupaten.totals.votes).filter((k) => k.includes('.c'))).toEqual([]);
    expect(kabupaten.totals.votes).toMatchObject({ '2': 59, '2.p': 8, '3': 27 });
    expect(kabupaten.totals.byDapil).toEqual({ 'DPRD-LABUSEL-01': { '2': 45, '3': 7 }, 'DPRD-LABUSEL-02': { '2': 14, '3': 20 } });
    // Its children (kecamatan) each lie in one dapil: their candidates are one person's.
    const kotapinang = kabupaten.children.find((c) => c.code === '122201');
    expect(kotapinang?.totals.votes).toMatchObject({ '2.c1': 40, '3.c1': 7 });
    expect(kotapinang?.totals.byDapil).toBeUndefined();
    const provinsi = await f.tallies.getTally(E, '12', 'DPRD_KAB');
    expect(Object.keys(provinsi.totals.votes).filter((k) => k.includes('.c'))).toEqual([]);

    // `suara check` covers the dapil tallies; a rebuild recomputes them.
    expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true });
    await f.db.query(`UPDATE dapil_tallies SET votes = jsonb_set(votes, '{2.c1}', '51') WHERE dapil_code = 'DPRD-LABUSEL-01'`);
    const tampered = await checkTallies(f.db, f.store);
    expect(tampered.differences).toEqual([{ electionId: E, regionCode: 'DPRD-LABUSEL-01', ballot: 'DPRD_KAB', field: 'votes.2.c1', expected: 40, actual: 51 }]);
    await f.visible();
    for (const maxHeld of [undefined, 1]) {
      await rebuildProjections(f.db, f.store, { batchSize: 2, maxHeld });
      expect(await checkTallies(f.db, f.store)).toMatchObject({ ok: true });
      expect((await dapils.getDapilTally(E, 'DPRD-LABUSEL-01', 'DPRD_KAB')).totals.parties['2'].candidates).toEqual({ '1': 40 });
    }
  });

  it('a dapil only partly in the deployment gets no seat projection; DPD keeps candidate sums province-wide', async () => {
    await f.append([
      submitted(E, TPS_KOTAPINANG, 'DPR', pilegForm(1, 2, 3)),
      submitted(E, TPS_KOTAPINANG, 'DPD', { votes: { '1': 4, '2': 6 }, valid: 10, invalid: 0 }),
      submitted(E, TPS_KAMPUNG_RAKYAT, 'DPD', { votes: { '1': 1, '2': 2 }, valid: 3, invalid: 0 }),
    ]);
    await projectAll();
    const dpr = await dapils.getDapilTally(E, 'DPR-SUMUT-2', 'DPR');
    expect(dpr.dapil.whole).toBe(false);
    expect(dpr.seats).toBeUndefined();
    expect(dpr.totals.parties['2']).toEqual({ party: 1, candidates: { '1': 2 }, total: 3 });
    // The whole deployment lies in one DPR dapil: its kabupaten tally may show the candidates.
    expect((await f.tallies.getTally(E, '1222', 'DPR')).totals.votes).toMatchObject({ '2.c1': 2 });
    expect((await f.tallies.getTally(E, '1222', 'DPD')).totals.votes).toEqual({ '1': 5, '2': 8 });
    await expect(dapils.getDapilTally(E, 'DPRD-LABUSEL-01', 'DPR')).rejects.toMatchObject({ status: 404 });
  });
}

describe('dapil tallies on PGlite', () => {
  defineSuite(async () => {
    const db = await openTestPglite();
    return { db, close: () => db.close() };
  });
});

describeIfPostgres('dapil tallies on PostgreSQL', () => {
  defineSuite(async () => {
    const pg = await createPostgresTestDatabase({ max: 4 });
    return { db: pg.db, close: () => pg.drop() };
  });
});
