import { describe, expect, it } from 'vitest';
import { BALLOTS, MAX_COUNT, isPartyBallot, type Ballot, type BallotSheet } from '@suara/contracts';
import { validateForm, type ValidationResult } from './chasil.validation';

const candidates = (...numbers: string[]) => numbers.map((number) => ({ number, name: `Calon ${number}`, generated: true }));

const SHEETS: Record<Ballot, BallotSheet> = {
  PPWP: {
    ballot: 'PPWP',
    options: [
      { number: '01', name: 'Anies-Muhaimin' },
      { number: '02', name: 'Prabowo-Gibran' },
      { number: '03', name: 'Ganjar-Mahfud' },
    ],
  },
  DPD: { ballot: 'DPD', options: candidates('21', '22', '23').map(({ number, name }) => ({ number, name })) },
  ...Object.fromEntries(
    (['DPR', 'DPRD_PROV', 'DPRD_KAB'] as const).map((ballot) => [
      ballot,
      {
        ballot,
        dapil: `${ballot}-1`,
        options: [
          { number: '1', name: 'PKB', candidates: candidates('1', '2', '3') },
          { number: '2', name: 'Gerindra', candidates: candidates('1', '2', '3') },
          { number: '3', name: 'PDI-P', candidates: candidates('1', '2') },
        ],
      },
    ]),
  ),
} as Record<Ballot, BallotSheet>;

/** Option numbers per ballot, in sheet order, plus one number not on the sheet. */
const optionsOf = (ballot: Ballot) => SHEETS[ballot].options.map((o) => o.number);
const unknownOptionOf = (ballot: Ballot) => (ballot === 'PPWP' ? '04' : ballot === 'DPD' ? '29' : '9');

/** Votes shaped for the ballot: option i gets counts[i] (party ballots: party-only 1/3, candidate 1 the rest). */
function votesFor(ballot: Ballot, counts: number[]): Record<string, unknown> {
  const options = optionsOf(ballot);
  return Object.fromEntries(
    counts.map((n, i) => {
      if (!isPartyBallot(ballot)) return [options[i], n];
      const party = Math.floor(n / 3);
      return [options[i], { party, candidates: { '1': n - party } }];
    }),
  );
}

/** A complete, consistent C.Hasil form. */
function fullForm(ballot: Ballot, counts = [50, 120, 10], invalid = 4) {
  const valid = counts.reduce((a, b) => a + b, 0);
  const voted = valid + invalid;
  return {
    votes: votesFor(ballot, counts),
    valid,
    invalid,
    voters: { dpt: 280, voted },
    ballots: { received: 286, used: voted, damaged: 1, unused: 286 - voted - 1 },
  };
}

const issuesOf = (r: ValidationResult) => (r.ok ? [] : r.issues);
const pathsOf = (r: ValidationResult) => issuesOf(r).map((i) => i.path);
const flagCodes = (r: ValidationResult) => r.flags.map((f) => f.code);

describe.each(BALLOTS)('validateForm %s', (ballot) => {
  const sheet = SHEETS[ballot];
  const validate = (form: unknown, context?: Parameters<typeof validateForm>[3]) => validateForm(ballot, sheet, form, context);
  const [first, second] = optionsOf(ballot);
  const unknown = unknownOptionOf(ballot);

  describe('accepts', () => {
    it('a complete consistent form, without flags', () => {
      const result = validate(fullForm(ballot));
      expect(issuesOf(result)).toEqual([]);
      expect(result).toMatchObject({ ok: true, flags: [] });
    });

    it('the required fields only (voters and ballots are optional)', () => {
      const { votes, valid, invalid } = fullForm(ballot);
      expect(validate({ votes, valid, invalid }).ok).toBe(true);
    });

    it('options left out, counted as 0', () => {
      const result = validate({ votes: votesFor(ballot, [30]), valid: 30, invalid: 0 });
      expect(result.ok).toBe(true);
    });
  });

  describe('rejects a malformed form, every problem at its path', () => {
    it('a form that is not an object', () => {
      for (const raw of [null, 'x', 3, [], undefined]) {
        expect(pathsOf(validate(raw))).toEqual(['form']);
      }
      expect(issuesOf(validate([]))[0].message).toBe('formulir C.Hasil harus berupa objek JSON, bukan daftar (array)');
    });

    it('missing required fields', () => {
      expect(issuesOf(validate({}))).toEqual([
        { path: 'form.votes', message: 'wajib diisi' },
        { path: 'form.valid', message: 'wajib diisi' },
        { path: 'form.invalid', message: 'wajib diisi' },
      ]);
    });

    it('wrong types, negatives, fractions and numbers above MAX_COUNT', () => {
      const form = { ...fullForm(ballot), valid: '180', invalid: -1, voters: { dpt: 280.5, voted: MAX_COUNT + 1 }, ballots: { received: null, used: true, damaged: 1, unused: 1 } };
      expect(issuesOf(validate(form))).toEqual([
        { path: 'form.valid', message: 'harus berupa angka, bukan teks' },
        { path: 'form.invalid', message: 'tidak boleh negatif' },
        { path: 'form.voters.dpt', message: 'harus bilangan bulat' },
        { path: 'form.voters.voted', message: `paling besar ${MAX_COUNT}` },
        { path: 'form.ballots.received', message: 'harus berupa angka, bukan null' },
        { path: 'form.ballots.used', message: 'harus berupa angka, bukan true/false' },
      ]);
    });

    it('a vote count that is not a count', () => {
      const votes = votesFor(ballot, [50, 120, 10]);
      if (isPartyBallot(ballot)) (votes[first] as { party: unknown }).party = -3;
      else votes[first] = -3;
      const path = isPartyBallot(ballot) ? `form.votes.${first}.party` : `form.votes.${first}`;
      expect(issuesOf(validate({ votes, valid: 180, invalid: 4 }))).toEqual([{ path, message: 'tidak boleh negatif' }]);
    });

    it('unsafe integers get one issue, not two', () => {
      expect(issuesOf(validate({ ...fullForm(ballot), invalid: 1e20 })).filter((i) => i.path === 'form.invalid')).toEqual([
        { path: 'form.invalid', message: `paling besar ${MAX_COUNT}` },
      ]);
    });

    it('extra fields anywhere', () => {
      const form = { ...fullForm(ballot), note: 'x', voters: { dpt: 280, voted: 184, dptb: 2 }, ballots: { ...fullForm(ballot).ballots, spare: 1 } };
      expect(issuesOf(validate(form))).toEqual([
        { path: 'form.voters.dptb', message: 'kolom "dptb" tidak dikenal' },
        { path: 'form.ballots.spare', message: 'kolom "spare" tidak dikenal' },
        { path: 'form.note', message: 'kolom "note" tidak dikenal' },
      ]);
    });

    it('vote keys that are not option numbers', () => {
      const votes = { ...votesFor(ballot, [180]), abc: isPartyBallot(ballot) ? { party: 0 } : 0 };
      expect(issuesOf(validate({ votes, valid: 180, invalid: 4 }))).toEqual([
        { path: 'form.votes.abc', message: 'nomor urut "abc" tidak dikenal (harus angka 1–3 digit)' },
      ]);
    });

    it('a "__proto__" vote key, which a JSON body can carry', () => {
      const raw = JSON.parse(`{"votes":{"__proto__":${isPartyBallot(ballot) ? '{"party":1}' : '1'}},"valid":0,"invalid":0}`);
      expect(pathsOf(validate(raw))).toEqual(['form.votes.__proto__']);
    });

    it('votes that are not an object', () => {
      expect(issuesOf(validate({ votes: [1, 2], valid: 3, invalid: 0 }))).toEqual([{ path: 'form.votes', message: 'harus berupa objek, bukan daftar (array)' }]);
    });
  });

  describe('rejects options that are not on the sheet', () => {
    it('an unknown option number', () => {
      const votes = { ...votesFor(ballot, [170]), [unknown]: isPartyBallot(ballot) ? { party: 10, candidates: {} } : 10 };
      const result = validate({ votes, valid: 180, invalid: 4 });
      expect(pathsOf(result)).toEqual([`form.votes.${unknown}`]);
      expect(issuesOf(result)[0].message).toContain(`nomor ${unknown} tidak ada di surat suara TPS ini (yang ada: ${optionsOf(ballot).join(', ')})`);
    });

    it('numbers are matched as printed: "1" is not "01"', () => {
      const alias = ballot === 'PPWP' ? '1' : `0${first}`;
      const votes = { [alias]: isPartyBallot(ballot) ? { party: 5 } : 5 };
      expect(pathsOf(validate({ votes, valid: 5, invalid: 0 }))).toEqual([`form.votes.${alias}`]);
    });
  });

  describe('rejects broken arithmetic, naming the numbers', () => {
    it('sum of votes ≠ valid', () => {
      const result = validate({ ...fullForm(ballot), valid: 185 });
      const what = isPartyBallot(ballot) ? 'total suara partai dan calon' : 'total suara';
      expect(issuesOf(result)).toContainEqual({ path: 'form.valid', message: `jumlah suara sah 185 tidak sama dengan ${what} 180` });
    });

    it('voted ≠ valid + invalid', () => {
      const form = fullForm(ballot);
      const result = validate({ ...form, voters: { dpt: 280, voted: 190 }, ballots: { ...form.ballots, used: 190, unused: 95 } });
      expect(issuesOf(result)).toEqual([
        { path: 'form.voters.voted', message: 'jumlah pemilih yang menggunakan hak pilih 190 tidak sama dengan suara sah 180 + suara tidak sah 4 = 184' },
      ]);
    });

    it('used ≠ voted', () => {
      const form = fullForm(ballot);
      const result = validate({ ...form, ballots: { received: 286, used: 185, damaged: 0, unused: 101 } });
      expect(issuesOf(result)).toEqual([
        { path: 'form.ballots.used', message: 'surat suara terpakai 185 tidak sama dengan jumlah pemilih yang menggunakan hak pilih 184' },
      ]);
    });

    it('used ≠ valid + invalid when voters are not given', () => {
      const { votes, valid, invalid } = fullForm(ballot);
      const result = validate({ votes, valid, invalid, ballots: { received: 286, used: 183, damaged: 1, unused: 102 } });
      expect(issuesOf(result)).toEqual([
        { path: 'form.ballots.used', message: 'surat suara terpakai 183 tidak sama dengan suara sah 180 + suara tidak sah 4 = 184' },
      ]);
    });

    it('received ≠ used + damaged + unused', () => {
      const form = fullForm(ballot);
      const result = validate({ ...form, ballots: { received: 290, used: 184, damaged: 1, unused: 101 } });
      expect(issuesOf(result)).toEqual([
        { path: 'form.ballots.received', message: 'surat suara diterima 290 tidak sama dengan terpakai 184 + rusak 1 + tidak terpakai 101 = 286' },
      ]);
    });
  });

  describe('lists every problem, not just the first', () => {
    it('three arithmetic and sheet errors give three issues', () => {
      const votes = { ...votesFor(ballot, [50, 120, 10]), [unknown]: isPartyBallot(ballot) ? { party: 5 } : 5 };
      const form = { votes, valid: 180, invalid: 4, voters: { dpt: 280, voted: 184 }, ballots: { received: 300, used: 184, damaged: 1, unused: 101 } };
      expect(pathsOf(validate(form))).toEqual([`form.votes.${unknown}`, 'form.valid', 'form.ballots.received']);
    });

    it('three structural errors give three issues', () => {
      const form = { ...fullForm(ballot), valid: -1, extra: true, voters: { dpt: 'banyak', voted: 184 } };
      expect(pathsOf(validate(form))).toEqual(['form.valid', 'form.voters.dpt', 'form.extra']);
    });

    it('identities whose fields are well-formed are checked even when another field is malformed', () => {
      const form = { ...fullForm(ballot), invalid: 'empat', ballots: { received: 300, used: 184, damaged: 1, unused: 101 } };
      const votes = { ...(form.votes as Record<string, unknown>), [unknown]: isPartyBallot(ballot) ? { party: 1 } : 1 };
      expect(pathsOf(validate({ ...form, votes }))).toEqual(['form.invalid', `form.votes.${unknown}`, 'form.valid', 'form.ballots.received']);
    });
  });

  describe('flags plausible-but-odd results and still accepts them', () => {
    it('option_over_300', () => {
      const counts = [310, 5, 5];
      const result = validate({ votes: votesFor(ballot, counts), valid: 320, invalid: 0 });
      expect(result.ok).toBe(true);
      expect(result.flags).toContainEqual(expect.objectContaining({ code: 'option_over_300', path: `form.votes.${first}` }));
      expect(result.flags.find((f) => f.code === 'option_over_300')!.message).toContain('310 suara');
    });

    it('total_over_300 when no DPT is given', () => {
      const result = validate({ votes: votesFor(ballot, [150, 150]), valid: 300, invalid: 5 });
      expect(flagCodes(result)).toEqual(['total_over_300']);
      expect(validate({ votes: votesFor(ballot, [150, 150]), valid: 300, invalid: 0 }).flags).toEqual([]);
    });

    it('turnout_over_dpt above DPT + 2% reserve, not at it', () => {
      const at = { votes: votesFor(ballot, [100, 104]), valid: 204, invalid: 0, voters: { dpt: 200, voted: 204 } };
      expect(validate(at).flags).toEqual([]);
      const over = { votes: votesFor(ballot, [100, 105]), valid: 205, invalid: 0, voters: { dpt: 200, voted: 205 } };
      const result = validate(over);
      expect(result.ok).toBe(true);
      expect(result.flags).toEqual([
        { code: 'turnout_over_dpt', path: 'form.voters.voted', message: 'pemilih yang menggunakan hak pilih 205 melebihi DPT 200 + 2% cadangan = 204' },
      ]);
    });

    it('full_turnout at exactly 100% of DPT', () => {
      const result = validate({ votes: votesFor(ballot, [100, 90]), valid: 190, invalid: 10, voters: { dpt: 200, voted: 200 } });
      expect(flagCodes(result)).toEqual(['full_turnout']);
    });

    it('dpt_over_300', () => {
      const result = validate({ votes: votesFor(ballot, [100, 90]), valid: 190, invalid: 10, voters: { dpt: 320, voted: 200 } });
      expect(flagCodes(result)).toEqual(['dpt_over_300']);
    });

    it('near_unanimous at ≥ 95% of at least 50 valid votes', () => {
      const result = validate({ votes: votesFor(ballot, [95, 5]), valid: 100, invalid: 0 });
      expect(result.flags).toEqual([expect.objectContaining({ code: 'near_unanimous', path: `form.votes.${first}` })]);
      expect(result.flags[0].message).toContain('95 dari 100 suara sah (95%)');
      expect(validate({ votes: votesFor(ballot, [94, 6]), valid: 100, invalid: 0 }).flags).toEqual([]);
      expect(validate({ votes: votesFor(ballot, [49]), valid: 49, invalid: 0 }).flags).toEqual([]);
    });

    it('high_invalid above 10% of voters', () => {
      const result = validate({ votes: votesFor(ballot, [50, 40]), valid: 90, invalid: 11 });
      expect(result.flags).toEqual([expect.objectContaining({ code: 'high_invalid', path: 'form.invalid' })]);
      expect(validate({ votes: votesFor(ballot, [50, 40]), valid: 90, invalid: 10 }).flags).toEqual([]);
    });

    it('empty_result when nobody voted', () => {
      const result = validate({ votes: {}, valid: 0, invalid: 0 });
      expect(result.ok).toBe(true);
      expect(flagCodes(result)).toEqual(['empty_result']);
    });

    it('off_desa_share when an option is more than 0.35 off its desa with ≥ 3 other TPS reported', () => {
      const form = { votes: votesFor(ballot, [80, 20]), valid: 100, invalid: 0 };
      const desaShares = { [first]: 0.3, [second]: 0.7 };
      const result = validate(form, { desaShares, desaReported: 3 });
      expect(result.flags).toEqual([expect.objectContaining({ code: 'off_desa_share', path: `form.votes.${first}` })]);
      expect(result.flags[0].message).toContain('80%');
      expect(result.flags[0].message).not.toContain('30%'); // the desa's share: recap data, never sent back to operators
      expect(validate(form, { desaShares, desaReported: 2 }).flags).toEqual([]);
      expect(validate(form, { desaShares: { [first]: 0.5, [second]: 0.5 }, desaReported: 10 }).flags).toEqual([]);
    });

    it('flags are computed for a well-formed form whose sums are wrong, and not for a malformed one', () => {
      expect(validate({ votes: votesFor(ballot, [310]), valid: 311, invalid: 0 }).flags.map((f) => f.code)).toContain('option_over_300');
      expect(validate({ votes: votesFor(ballot, [310]), valid: '310', invalid: 0 }).flags).toEqual([]);
    });
  });
});

describe('validateForm party ballots: candidates', () => {
  const sheet = SHEETS.DPR;

  it('rejects a candidate number not on the party list of that dapil', () => {
    const form = { votes: { '2': { party: 10, candidates: { '1': 5, '7': 2 } } }, valid: 17, invalid: 0 };
    expect(issuesOf(validateForm('DPR', sheet, form))).toEqual([
      { path: 'form.votes.2.candidates.7', message: 'calon nomor 7 tidak ada di daftar partai 2 (Gerindra) untuk dapil TPS ini (yang ada: 1, 2, 3)' },
    ]);
  });

  it('counts party and candidate votes towards valid', () => {
    const form = { votes: { '2': { party: 10, candidates: { '1': 5, '3': 2 } }, '3': { party: 1 } }, valid: 18, invalid: 0 };
    const result = validateForm('DPRD_KAB', SHEETS.DPRD_KAB, form);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.form.votes).toEqual({ '2': { party: 10, candidates: { '1': 5, '3': 2 } }, '3': { party: 1, candidates: {} } });
    expect(issuesOf(validateForm('DPRD_KAB', SHEETS.DPRD_KAB, { ...form, valid: 17 }))).toEqual([
      { path: 'form.valid', message: 'jumlah suara sah 17 tidak sama dengan total suara partai dan calon 18' },
    ]);
  });

  it('rejects malformed party entries at their paths', () => {
    const form = { votes: { '1': 5, '2': { party: 1, candidates: [] }, '3': { party: 1, extra: 2 } }, valid: 7, invalid: 0 };
    expect(issuesOf(validateForm('DPRD_PROV', SHEETS.DPRD_PROV, form))).toEqual([
      { path: 'form.votes.1', message: 'harus berupa objek, bukan angka' },
      { path: 'form.votes.2.candidates', message: 'harus berupa objek, bukan daftar (array)' },
      { path: 'form.votes.3.extra', message: 'kolom "extra" tidak dikenal' },
    ]);
  });

  it('a flat-shaped form on a party ballot is rejected, and a party-shaped one on a flat ballot', () => {
    expect(pathsOf(validateForm('DPR', sheet, { votes: { '1': 5 }, valid: 5, invalid: 0 }))).toEqual(['form.votes.1']);
    expect(pathsOf(validateForm('PPWP', SHEETS.PPWP, { votes: { '01': { party: 5 } }, valid: 5, invalid: 0 }))).toEqual(['form.votes.01']);
  });
});
