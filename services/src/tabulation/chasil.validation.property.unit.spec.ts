import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BALLOTS, MAX_COUNT, flattenVotes, isPartyBallot, type Ballot, type BallotSheet } from '@suara/contracts';
import { validateForm, type ValidationResult } from './chasil.validation';

const candidates = (...numbers: string[]) => numbers.map((number) => ({ number, name: `Calon ${number}`, generated: true }));
const partySheet = (ballot: Ballot): BallotSheet => ({
  ballot,
  options: [
    { number: '1', name: 'PKB', candidates: candidates('1', '2', '3') },
    { number: '2', name: 'Gerindra', candidates: candidates('1', '2') },
    { number: '5', name: 'Golkar', candidates: candidates('1', '2', '3', '4') },
  ],
});
const SHEETS: Record<Ballot, BallotSheet> = {
  PPWP: { ballot: 'PPWP', options: [{ number: '01', name: 'A' }, { number: '02', name: 'B' }, { number: '03', name: 'C' }] },
  DPD: { ballot: 'DPD', options: [{ number: '21', name: 'X' }, { number: '22', name: 'Y' }, { number: '23', name: 'Z' }, { number: '24', name: 'W' }] },
  DPR: partySheet('DPR'),
  DPRD_PROV: partySheet('DPRD_PROV'),
  DPRD_KAB: partySheet('DPRD_KAB'),
};

const ballotArb = fc.constantFrom(...BALLOTS);

function expectWellFormed(result: ValidationResult): void {
  if (result.ok) {
    expect(result.form).toBeDefined();
    return;
  }
  expect(result.issues.length).toBeGreaterThan(0);
  for (const issue of result.issues) {
    expect(issue.path === 'form' || issue.path.startsWith('form.')).toBe(true);
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

/** Anything at all, biased towards what a form's fields hold. */
const anyValue = fc.oneof(
  fc.integer({ min: -5, max: MAX_COUNT + 5 }),
  fc.integer({ min: 0, max: 400 }),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 2 }),
);
const keyArb = fc.oneof(fc.constantFrom('01', '02', '03', '04', '1', '2', '5', '9', '21', '24', '29', 'abc', '__proto__', ''), fc.string({ maxLength: 4 }));
const partyEntry = fc.oneof(
  fc.record({ party: anyValue, candidates: fc.oneof(fc.dictionary(keyArb, anyValue, { maxKeys: 4 }), anyValue) }, { requiredKeys: [] }),
  fc.record({ party: fc.nat(300), candidates: fc.dictionary(fc.constantFrom('1', '2', '3', '4', '7'), fc.nat(300), { maxKeys: 4 }), extra: anyValue }, { requiredKeys: ['party'] }),
  anyValue,
);
const formLike = fc.record(
  {
    votes: fc.oneof(fc.dictionary(keyArb, fc.oneof(anyValue, partyEntry), { maxKeys: 5 }), anyValue),
    valid: anyValue,
    invalid: anyValue,
    voters: fc.oneof(fc.record({ dpt: anyValue, voted: anyValue }, { requiredKeys: [] }), anyValue),
    ballots: fc.oneof(fc.record({ received: anyValue, used: anyValue, damaged: anyValue, unused: anyValue }, { requiredKeys: [] }), anyValue),
    other: anyValue,
  },
  { requiredKeys: [] },
);

type VoteEntry = number | { party: number; candidates: Record<string, number> };

/** A form whose every identity holds, for the given ballot. */
const consistentForm = (ballot: Ballot) => {
  const options = SHEETS[ballot].options;
  const votesArb: fc.Arbitrary<(VoteEntry | undefined)[]> = isPartyBallot(ballot)
    ? fc.tuple(
        ...options.map((o) =>
          fc.option(
            fc.record({
              party: fc.nat(300),
              candidates: fc.dictionary(fc.constantFrom(...(o.candidates ?? []).map((c) => c.number)), fc.nat(300), { maxKeys: 4 }),
            }),
            { nil: undefined },
          ),
        ),
      )
    : fc.tuple(...options.map(() => fc.option(fc.nat(400), { nil: undefined })));
  return fc
    .record({
      votes: votesArb,
      invalid: fc.nat(100),
      dpt: fc.option(fc.nat(400), { nil: undefined }),
      ballots: fc.option(fc.record({ damaged: fc.nat(10), unused: fc.nat(200) }), { nil: undefined }),
    })
    .map(({ votes, invalid, dpt, ballots }) => {
      const entries = votes.flatMap((v, i) => (v === undefined ? [] : [[options[i].number, v] as const]));
      const valid = entries.reduce(
        (sum, [, v]) => sum + (typeof v === 'number' ? v : v.party + Object.values(v.candidates).reduce((a, b) => a + b, 0)),
        0,
      );
      const voted = valid + invalid;
      return {
        votes: Object.fromEntries(entries),
        valid,
        invalid,
        ...(dpt === undefined ? {} : { voters: { dpt, voted } }),
        ...(ballots === undefined ? {} : { ballots: { received: voted + ballots.damaged + ballots.unused, used: voted, ...ballots } }),
      };
    });
};

describe('validateForm properties', () => {
  it('never throws on arbitrary JSON; answers ok or issues under "form"', () => {
    fc.assert(
      fc.property(ballotArb, fc.jsonValue(), (ballot, raw) => {
        expectWellFormed(validateForm(ballot, SHEETS[ballot], raw));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on form-shaped junk; answers ok or issues under "form"', () => {
    fc.assert(
      fc.property(ballotArb, formLike, (ballot, raw) => {
        expectWellFormed(validateForm(ballot, SHEETS[ballot], raw));
        expectWellFormed(validateForm(ballot, SHEETS[ballot], JSON.parse(JSON.stringify(raw))));
      }),
      { numRuns: 600 },
    );
  });

  it('accepts every consistent form, and the flattened option totals add up to valid', () => {
    fc.assert(
      fc.property(
        ballotArb.chain((ballot) => fc.tuple(fc.constant(ballot), consistentForm(ballot))),
        ([ballot, form]) => {
          const result = validateForm(ballot, SHEETS[ballot], form);
          expect(result.ok ? [] : result.issues).toEqual([]);
          if (!result.ok) return;
          const totals = Object.entries(flattenVotes(ballot, result.form)).filter(([k]) => !k.includes('.'));
          expect(totals.reduce((a, [, n]) => a + n, 0)).toBe(form.valid);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a consistent form whose valid count is off, at form.valid', () => {
    fc.assert(
      fc.property(
        ballotArb.chain((ballot) => fc.tuple(fc.constant(ballot), consistentForm(ballot), fc.integer({ min: -50, max: 50 }).filter((d) => d !== 0))),
        ([ballot, form, delta]) => {
          fc.pre(form.valid + delta >= 0);
          const result = validateForm(ballot, SHEETS[ballot], { ...form, valid: form.valid + delta });
          expect(result.ok).toBe(false);
          expect(result.ok ? [] : result.issues.map((i) => i.path)).toContain('form.valid');
        },
      ),
      { numRuns: 300 },
    );
  });
});
