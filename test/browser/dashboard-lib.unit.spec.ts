import { describe, expect, it } from 'vitest';
import type { BallotSheet, ElectionView, TallyView } from '@suara/contracts';
import { draftToForm, formToDraft, issueSeen, issuesByField, localIssues, newRequestId, sameAt, typedVoteSum } from '../../dashboard/src/lib/formdraft';
import { diffForms, optionRows } from '../../dashboard/src/lib/options';

/** The dashboard's pure helpers: what the operator typed becomes the API's form, and back. */

const ppwpSheet: BallotSheet = { ballot: 'PPWP', options: [{ number: '01', name: 'A' }, { number: '02', name: 'B' }] };
const dprSheet: BallotSheet = {
  ballot: 'DPR',
  options: [
    { number: '1', name: 'PKB', candidates: [{ number: '1', name: 'X', generated: true }, { number: '2', name: 'Y', generated: true }] },
    { number: '2', name: 'Gerindra', candidates: [{ number: '1', name: 'Z', generated: true }] },
  ],
};

describe('C.Hasil drafts', () => {
  it('turns typed text into the form: empty vote boxes are 0, optional groups only when filled', () => {
    expect(draftToForm(ppwpSheet, { 'votes.01': '12', valid: '12', invalid: '0' })).toEqual({ votes: { '01': 12, '02': 0 }, valid: 12, invalid: 0 });
    expect(draftToForm(ppwpSheet, { 'votes.01': '1', valid: '1', invalid: '0', 'voters.dpt': '200' })).toMatchObject({ voters: { dpt: 200, voted: undefined } });
  });

  it('writes party ballots as party-only votes plus non-zero candidates, and reads them back', () => {
    const form = draftToForm(dprSheet, { 'votes.1.party': '5', 'votes.1.candidates.2': '3', 'votes.1.candidates.1': '0', valid: '8', invalid: '1' });
    expect(form).toEqual({ votes: { '1': { party: 5, candidates: { '2': 3 } }, '2': { party: 0, candidates: {} } }, valid: 8, invalid: 1 });
    expect(draftToForm(dprSheet, formToDraft(form))).toEqual(form);
    expect(typedVoteSum(formToDraft(form))).toBe(8);
  });

  it('writes section I with empty boxes as 0 once one box is filled, the notes as text, and reads them back', () => {
    const d = { 'votes.01': '3', valid: '3', invalid: '0', 'administrasi.registered.dpt.l': '140', 'administrasi.voted.dpt.p': '3', objections: '1', notes: ' hujan deras ' };
    const form = draftToForm(ppwpSheet, d);
    expect(form).toMatchObject({
      administrasi: {
        registered: { dpt: { l: 140, p: 0 }, dptb: { l: 0, p: 0 }, dpk: { l: 0, p: 0 } },
        voted: { dpt: { l: 0, p: 3 }, dptb: { l: 0, p: 0 }, dpk: { l: 0, p: 0 } },
        disabled: { registered: { l: 0, p: 0 }, voted: { l: 0, p: 0 } },
      },
      objections: 1,
      notes: 'hujan deras',
    });
    expect(localIssues({ ...d, notes: 'bukan angka' })).toEqual([]);
    expect(draftToForm(ppwpSheet, formToDraft(form))).toEqual(form);
    expect(draftToForm(ppwpSheet, { 'votes.01': '1', valid: '1', invalid: '0' })).not.toHaveProperty('administrasi');
  });

  it('keeps text that is not a whole number so the server names the field, and flags it locally', () => {
    const d = { 'votes.01': '1a', valid: '', invalid: '0' };
    expect(draftToForm(ppwpSheet, d).votes).toEqual({ '01': '1a', '02': 0 });
    expect(issuesByField(localIssues(d))).toEqual({ 'votes.01': ['harus bilangan bulat, tidak negatif'], valid: ['wajib diisi'] });
  });

  it('makes request ids the API accepts', () => {
    const ids = new Set(Array.from({ length: 50 }, newRequestId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});

describe('when a problem is shown', () => {
  it('says the same message of a field once, however many checks found it', () => {
    expect(issuesByField([{ path: 'form.valid', message: 'wajib diisi' }, { path: 'valid', message: 'wajib diisi' }, { path: 'form.valid', message: 'lain' }])).toEqual({ valid: ['wajib diisi', 'lain'] });
  });

  it('shows a field\'s problem once it was left, a sum\'s once one of its parts was, all after a send was tried', () => {
    const touched = new Set(['votes.01', 'administrasi.voted.dpt.l']);
    expect(issueSeen('votes.01', touched, false)).toBe(true);
    expect(issueSeen('votes', touched, false)).toBe(true);
    expect(issueSeen('administrasi.voted.dpt', touched, false)).toBe(true);
    expect(issueSeen('valid', touched, false)).toBe(false);
    expect(issueSeen('votes.0', touched, false)).toBe(false); // a prefix of a name is not a part
    expect(issueSeen('', touched, false)).toBe(false);
    expect(issueSeen('valid', new Set(), true)).toBe(true);
    expect(issueSeen('', new Set(), true)).toBe(true);
  });

  it('keeps a check\'s problem only while its field holds what was checked (an answer to an older draft)', () => {
    const checked = { votes: { '01': 10, '02': 20 }, valid: undefined as unknown as number, invalid: 1 };
    const now = { votes: { '01': 10, '02': 20 }, valid: 31, invalid: 1 };
    expect(sameAt(checked, now, 'form.valid')).toBe(false); // "wajib diisi" on the box just filled: hidden
    expect(sameAt(checked, now, 'form.votes.02')).toBe(true);
    expect(sameAt(checked, now, 'form.votes')).toBe(true);
    expect(sameAt(checked, { ...now, votes: { '01': 11, '02': 20 } }, 'form.votes')).toBe(false);
    expect(sameAt(checked, now, 'form')).toBe(false);
    expect(sameAt(undefined, now, 'form.invalid')).toBe(false);
  });
});

describe('corrections', () => {
  it('lists what changed, field by field, absent votes counting as 0', () => {
    const before = { votes: { '1': { party: 5, candidates: { '2': 3 } } }, valid: 8, invalid: 1 };
    const after = { votes: { '1': { party: 4, candidates: { '2': 3, '1': 2 } } }, valid: 9, invalid: 1 };
    expect(diffForms(before, after)).toEqual([
      { path: 'votes.1.candidates.1', before: 0, after: 2 },
      { path: 'votes.1.party', before: 5, after: 4 },
      { path: 'valid', before: 8, after: 9 },
    ]);
  });
});

describe('option rows', () => {
  const election = {
    id: 'e', activeElectionId: 'e', name: 'E', mode: 'real', kabupatenCode: '1222',
    ballots: [{ ballot: 'PPWP', name: 'Presiden', paslon: [
      { number: '01', name: 'A', capres: 'a', cawapres: 'b', color: '#111111' },
      { number: '02', name: 'B, "dua"', capres: 'c', cawapres: 'd', color: '#222222' },
    ] }],
  } as ElectionView;
  const progress = { tpsTotal: 2, tpsReported: 1, tpsVerified: 0 };
  const tally: TallyView = {
    region: { code: '1222', level: 'kabupaten', name: 'Kab' }, ballot: 'PPWP', position: '1:1',
    totals: { votes: { '01': 3, '02': 4 }, valid: 7, invalid: 1 }, progress,
    children: [{ code: '122201', level: 'kecamatan', name: 'Kec', totals: { votes: { '01': 3, '02': 4 }, valid: 7, invalid: 1 }, progress }],
  };

  it('lists the options in printed order with their votes and colours', () => {
    expect(optionRows(election, 'PPWP', '1222', tally.totals).map((r) => [r.key, r.votes, r.color])).toEqual([['01', 3, '#111111'], ['02', 4, '#222222']]);
  });
});
