import { describe, expect, it } from 'vitest';
import { flattenVotes } from './form';

describe('flattenVotes', () => {
  it('flat ballots: one key per option', () => {
    expect(flattenVotes('PPWP', { votes: { '01': 50, '02': 120 }, valid: 170, invalid: 0 })).toEqual({ '01': 50, '02': 120 });
    expect(flattenVotes('DPD', { votes: { '21': 7 }, valid: 7, invalid: 0 })).toEqual({ '21': 7 });
  });

  it('party ballots: party total, party-only and per candidate', () => {
    const form = { votes: { '2': { party: 10, candidates: { '5': 3, '1': 2 } }, '3': { party: 4, candidates: {} } }, valid: 19, invalid: 0 };
    expect(flattenVotes('DPR', form)).toEqual({ '2': 15, '2.p': 10, '2.c5': 3, '2.c1': 2, '3': 4, '3.p': 4 });
  });
});
