import { describe, expect, it } from 'vitest';
import { flattenVotes, resultStreamId, type CHasilForm } from '@suara/contracts';
import fc from 'fast-check';
import type { RecordedEvent } from '../eventstore/event-store.port';
import { auditRow } from './audit.projection';
import { evolveResults, isResultStreamEvent, resultStreamKey, type CurrentResult } from './current-result';
import { addFormVotes, projectTallies, type TallyDelta } from './tally.projection';
import { compareResults, compareTallies, expectedTallies, ResultRecomputation, tallyRowKey, type TallyRow } from './tally-check';
import { corrected, flatForm, record, submitted, verified } from './test-support/result-events';

const E = 'labusel-2024';
const TPS_A = '1222011001001';
const TPS_B = '1222011001002';
const TPS_C = '1222021002001'; // another kecamatan
/** The tallied regions above TPS A: desa, kecamatan, kabupaten, provinsi (TPS numbers live in its current result). */
const LEVELS_A = ['1222011001', '122201', '1222', '12'];

const resultKey = (electionId: string, tpsCode: string, ballot: string) => resultStreamId(electionId, tpsCode, ballot as 'PPWP');

/** What the projector's runtime and the tallies and audit definitions make of one batch (their pure parts). */
function projectBatch(events: RecordedEvent[], previous: ReadonlyMap<string, CurrentResult>) {
  const transitions = evolveResults(events, previous);
  return { results: transitions.map((t) => t.after), ...projectTallies(transitions), audit: events.filter(isResultStreamEvent).map(auditRow) };
}

/** The tallies the write side's decider implies, summed from scratch. */
function recomputed(events: RecordedEvent[]): Map<string, TallyRow> {
  const recomputation = new ResultRecomputation();
  recomputation.add(events);
  return expectedTallies(recomputation.results().values());
}

function deltaAt(deltas: TallyDelta[], regionCode: string, ballot = 'PPWP'): TallyDelta | undefined {
  return deltas.find((d) => d.regionCode === regionCode && d.ballot === ballot && d.electionId === E);
}

/** Applies batches one after another, carrying the current results between them like the projector does. */
function projectInBatches(batches: ReturnType<typeof record>[]): Map<string, TallyRow> {
  const current = new Map<string, CurrentResult>();
  const tallies = new Map<string, TallyRow>();
  for (const batch of batches) {
    const effects = projectBatch(batch, current);
    for (const r of effects.results) current.set(resultKey(r.electionId, r.tpsCode, r.ballot), r);
    for (const d of effects.deltas) {
      const key = tallyRowKey(d.electionId, d.regionCode, d.ballot);
      const row = tallies.get(key) ?? { electionId: d.electionId, regionCode: d.regionCode, ballot: d.ballot, votes: {}, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };
      for (const [k, n] of Object.entries(d.votes)) row.votes[k] = (row.votes[k] ?? 0) + n;
      row.valid += d.valid;
      row.invalid += d.invalid;
      row.tpsReported += d.tpsReported;
      row.tpsVerified += d.tpsVerified;
      tallies.set(key, row);
    }
  }
  return tallies;
}

describe('tally projection: deltas of a batch', () => {
  it('a submission adds its votes to every ancestor of the TPS, and counts the TPS as reported', () => {
    const effects = projectBatch(record([submitted(E, TPS_A, 'PPWP', flatForm({ '01': 50, '02': 120, '03': 10 }, 4))]), new Map());
    for (const code of LEVELS_A) {
      expect(deltaAt(effects.deltas, code)).toEqual({
        electionId: E,
        regionCode: code,
        ballot: 'PPWP',
        votes: { '01': 50, '02': 120, '03': 10 },
        valid: 180,
        invalid: 4,
        tpsReported: 1,
        tpsVerified: 0,
      });
    }
    expect(effects.deltas).toHaveLength(4);
    expect(effects.results[0]).toMatchObject({ tpsCode: TPS_A, status: 'submitted', version: 1, submittedBy: 'op-1222011001', position: '1:1', form: flatForm({ '01': 50, '02': 120, '03': 10 }, 4) });
    expect(effects.changed).toEqual([{ electionId: E, ballot: 'PPWP', regionCodes: ['12', '1222', '122201', '1222011001'] }]);
  });

  it('two TPS of one desa add up in the desa and above; each keeps its own form', () => {
    const effects = projectBatch(
      record([submitted(E, TPS_A, 'PPWP', flatForm({ '01': 10, '02': 5 })), submitted(E, TPS_B, 'PPWP', flatForm({ '01': 1, '02': 2 }, 1))]),
      new Map(),
    );
    expect(effects.results.map((r) => [r.tpsCode, r.form?.valid])).toEqual([[TPS_A, 15], [TPS_B, 3]]);
    expect(deltaAt(effects.deltas, TPS_A)).toBeUndefined();
    expect(deltaAt(effects.deltas, '1222011001')).toMatchObject({ votes: { '01': 11, '02': 7 }, valid: 18, invalid: 1, tpsReported: 2 });
    expect(deltaAt(effects.deltas, '12')).toMatchObject({ votes: { '01': 11, '02': 7 }, tpsReported: 2 });
  });

  it('a correction replaces the TPS form and applies (new − old) to every ancestor, leaving reported unchanged', () => {
    const before = flatForm({ '01': 50, '02': 120 });
    const after = flatForm({ '01': 60, '02': 110 }, 2);
    const [first, second] = record([submitted(E, TPS_A, 'PPWP', before), corrected(E, TPS_A, 'PPWP', before, after)]);
    const afterFirst = projectBatch([first], new Map());
    const previous = new Map(afterFirst.results.map((r) => [resultKey(r.electionId, r.tpsCode, r.ballot), r]));
    const effects = projectBatch([second], previous);
    for (const code of LEVELS_A) {
      expect(deltaAt(effects.deltas, code)).toMatchObject({ votes: { '01': 10, '02': -10 }, valid: 0, invalid: 2, tpsReported: 0, tpsVerified: 0 });
    }
    expect(effects.results[0]).toMatchObject({ status: 'corrected', version: 2, form: after });
  });

  it('verification moves tps_verified only; a later correction takes it back (it needs a fresh verification)', () => {
    const form = flatForm({ '01': 3 });
    const events = record([submitted(E, TPS_A, 'PPWP', form), verified(E, TPS_A, 'PPWP'), corrected(E, TPS_A, 'PPWP', form, flatForm({ '01': 4 }))]);
    const afterSubmit = projectBatch(events.slice(0, 1), new Map());
    const previous = new Map(afterSubmit.results.map((r) => [resultKey(r.electionId, r.tpsCode, r.ballot), r]));
    const verify = projectBatch(events.slice(1, 2), previous);
    expect(deltaAt(verify.deltas, '1222')).toEqual({ electionId: E, regionCode: '1222', ballot: 'PPWP', votes: {}, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 1 });
    expect(verify.results[0]).toMatchObject({ status: 'verified', verifiedBy: 'verifier-1' });
    const previous2 = new Map(verify.results.map((r) => [resultKey(r.electionId, r.tpsCode, r.ballot), r]));
    const correct = projectBatch(events.slice(2), previous2);
    expect(deltaAt(correct.deltas, '1222')).toMatchObject({ votes: { '01': 1 }, valid: 1, tpsReported: 0, tpsVerified: -1 });
  });

  it('several events of one stream in a batch net out to one delta per region', () => {
    const form = flatForm({ '01': 3 });
    const effects = projectBatch(
      record([submitted(E, TPS_A, 'PPWP', form), verified(E, TPS_A, 'PPWP'), corrected(E, TPS_A, 'PPWP', form, flatForm({ '01': 7 }))]),
      new Map(),
    );
    expect(effects.deltas).toHaveLength(4);
    expect(deltaAt(effects.deltas, '12')).toMatchObject({ votes: { '01': 7 }, valid: 7, tpsReported: 1, tpsVerified: 0 });
    expect(effects.results).toHaveLength(1);
    expect(effects.results[0]).toMatchObject({ status: 'corrected', version: 3, position: '1:3' });
    expect(effects.audit.map((a) => [a.type, a.version])).toEqual([['ResultSubmitted', 1], ['ResultVerified', 2], ['ResultCorrected', 3]]);
    expect(effects.audit[2].data).toEqual({ reason: 'salah salin', operatorConfirmation: 'dikonfirmasi lewat telepon' });
    expect(effects.audit[0].data).toEqual({ clientRequestId: `c-${TPS_A}-PPWP` });
  });

  it('party ballots tally party totals, party-only votes and every candidate', () => {
    const form: CHasilForm = { votes: { '2': { party: 10, candidates: { '1': 5, '3': 2 } }, '5': { party: 1, candidates: {} } }, valid: 18, invalid: 0 };
    const effects = projectBatch(record([submitted(E, TPS_A, 'DPR', form)]), new Map());
    expect(deltaAt(effects.deltas, '122201', 'DPR')?.votes).toEqual({ '2': 17, '2.p': 10, '2.c1': 5, '2.c3': 2, '5': 1, '5.p': 1 });
  });

  it('keeps elections and ballots apart', () => {
    const effects = projectBatch(
      record([
        submitted(E, TPS_A, 'PPWP', flatForm({ '01': 1 })),
        submitted('labusel-2024-sim-1', TPS_A, 'PPWP', flatForm({ '01': 100 })),
        submitted(E, TPS_A, 'DPD', flatForm({ '7': 9 })),
      ]),
      new Map(),
    );
    expect(deltaAt(effects.deltas, '12')?.votes).toEqual({ '01': 1 });
    expect(effects.deltas.find((d) => d.electionId === 'labusel-2024-sim-1' && d.regionCode === '12')?.votes).toEqual({ '01': 100 });
    expect(deltaAt(effects.deltas, '12', 'DPD')?.votes).toEqual({ '7': 9 });
    expect(effects.changed).toHaveLength(3);
  });

  it('ignores events of other streams', () => {
    const other = { ...record([submitted(E, TPS_A, 'PPWP', flatForm({ '01': 1 }))])[0], streamId: `quickcount-${E}-PPWP`, type: 'SampleDrawn', data: { seed: 1 } };
    expect(projectBatch([other], new Map())).toEqual({ results: [], deltas: [], audit: [], changed: [] });
  });

  it('an event type it does not know moves the stream version and position only: no delta, no push, one audit row', () => {
    const form = flatForm({ '01': 3 });
    const [first, second] = record([submitted(E, TPS_A, 'DPRD_KAB', form), submitted(E, TPS_A, 'DPRD_KAB', form)]);
    const photo = { ...second, type: 'SomeFutureEvent', data: { sha256: 'ab'.repeat(32) } };
    const afterSubmit = projectBatch([first], new Map());
    const effects = projectBatch([photo], new Map(afterSubmit.results.map((r) => [resultKey(r.electionId, r.tpsCode, r.ballot), r])));
    expect(effects.results).toEqual([{ ...afterSubmit.results[0], version: 2, position: '1:2' }]);
    expect(effects).toMatchObject({ deltas: [], changed: [] });
    expect(effects.audit).toMatchObject([{ electionId: E, tpsCode: TPS_A, ballot: 'DPRD_KAB', version: 2, type: 'SomeFutureEvent', data: {} }]);

    // A stream may start with it (a photo before the numbers): an empty result at version 1.
    const photoFirst = { ...first, type: 'SomeFutureEvent', data: {} };
    expect(projectBatch([photoFirst], new Map()).results).toMatchObject([{ electionId: E, tpsCode: TPS_A, ballot: 'DPRD_KAB', status: 'empty', form: null, version: 1 }]);
  });
});

describe('addFormVotes', () => {
  const count = fc.integer({ min: 0, max: 300 });
  const option = fc.integer({ min: 1, max: 40 }).map(String);
  it('keys and sums votes exactly like flattenVotes, for flat and party ballots', () => {
    fc.assert(
      fc.property(fc.dictionary(option, count), fc.dictionary(option, fc.record({ party: count, candidates: fc.dictionary(option, count) })), (flat, party) => {
        const flatForm: CHasilForm = { votes: flat, valid: 0, invalid: 0 };
        const partyForm: CHasilForm = { votes: party, valid: 0, invalid: 0 };
        for (const [ballot, form] of [['PPWP', flatForm], ['DPD', flatForm], ['DPR', partyForm], ['DPRD_KAB', partyForm]] as const) {
          const sums = new Map<string, number>();
          addFormVotes(sums, ballot, form, 1);
          addFormVotes(sums, ballot, form, 1);
          addFormVotes(sums, ballot, form, -1);
          expect(Object.fromEntries(sums)).toEqual(flattenVotes(ballot, form));
        }
      }),
    );
  });
});

describe('tally check: recomputation from the events', () => {
  const form = (a: number, b: number) => flatForm({ '01': a, '02': b });
  const events = record([
    submitted(E, TPS_A, 'PPWP', form(10, 20)),
    submitted(E, TPS_B, 'PPWP', form(1, 2)),
    submitted(E, TPS_C, 'PPWP', form(5, 5)),
    verified(E, TPS_B, 'PPWP'),
    corrected(E, TPS_A, 'PPWP', form(10, 20), form(12, 18)),
    verified(E, TPS_A, 'PPWP'),
  ]);

  it('the incremental deltas, in any batching, equal the recomputation', () => {
    const expected = recomputed(events);
    for (const size of [1, 2, 4, 6]) {
      const batches = [];
      for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
      expect(compareTallies(expected, [...projectInBatches(batches).values()])).toEqual([]);
    }
    expect(expected.get(tallyRowKey(E, '1222', 'PPWP'))).toEqual({
      electionId: E, regionCode: '1222', ballot: 'PPWP', votes: { '01': 18, '02': 25 }, valid: 43, invalid: 0, tpsReported: 3, tpsVerified: 2,
    });
  });

  it('reports each field that differs, and rows that should not exist', () => {
    const stored = [...projectInBatches([events]).values()].map((r) => ({ ...r, votes: { ...r.votes } }));
    const desa = stored.find((r) => r.regionCode === '1222011001') as TallyRow;
    desa.votes['01'] += 1;
    desa.tpsVerified = 0;
    stored.push({ electionId: E, regionCode: '1222031003', ballot: 'PPWP', votes: { '01': 1 }, valid: 1, invalid: 0, tpsReported: 1, tpsVerified: 0 });
    stored.push({ electionId: E, regionCode: '1222041004', ballot: 'PPWP', votes: { '01': 0 }, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 });
    expect(compareTallies(recomputed(events), stored)).toEqual([
      { electionId: E, regionCode: '1222011001', ballot: 'PPWP', field: 'tpsVerified', expected: 2, actual: 0 },
      { electionId: E, regionCode: '1222011001', ballot: 'PPWP', field: 'votes.01', expected: 13, actual: 14 },
      { electionId: E, regionCode: '1222031003', ballot: 'PPWP', field: 'valid', expected: 0, actual: 1 },
      { electionId: E, regionCode: '1222031003', ballot: 'PPWP', field: 'tpsReported', expected: 0, actual: 1 },
      { electionId: E, regionCode: '1222031003', ballot: 'PPWP', field: 'votes.01', expected: 0, actual: 1 },
    ]);
  });
});

describe('result streams', () => {
  it('the key of a result stream is read back from its id, election ids with dashes included', () => {
    for (const key of [
      { electionId: 'labusel-2024-sim-1', tpsCode: TPS_A, ballot: 'DPRD_KAB' as const },
      { electionId: 'labusel', tpsCode: TPS_C, ballot: 'PPWP' as const },
    ]) {
      expect(resultStreamKey(resultStreamId(key.electionId, key.tpsCode, key.ballot))).toEqual(key);
    }
    expect(() => resultStreamKey('user-123')).toThrow('not a result stream');
  });

  it('the recomputation counts every event of a result stream for the version, also types the decider does not know', () => {
    const form = flatForm({ '01': 3 });
    const [first, second, third] = record([submitted(E, TPS_A, 'PPWP', form), submitted(E, TPS_A, 'PPWP', form), submitted(E, TPS_B, 'PPWP', form)]);
    const events = [{ ...first, type: 'SomeFutureEvent', data: {} }, { ...second }, { ...third, type: 'AnotherFutureEvent', data: {} }];
    const recomputation = new ResultRecomputation();
    recomputation.add(events);
    const results = recomputation.results();
    expect([...results.values()].map((r) => [r.tpsCode, r.state.status, r.state.version])).toEqual([[TPS_A, 'submitted', 2], [TPS_B, 'empty', 1]]);
    const stored = evolveResults(events, new Map()).map(({ after }) => ({ ...after }));
    expect(compareResults(results, stored)).toEqual([]);
    stored[1].version = 0;
    expect(compareResults(results, stored)).toEqual([{ electionId: E, regionCode: TPS_B, ballot: 'PPWP', field: 'version', expected: 1, actual: 0 }]);
  });
});
