import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NOTES, flagSeverity, normalizeText, type BallotSheet } from '@suara/contracts';
import { validateForm, type ValidationResult } from './chasil.validation';

/**
 * The real Pemilu 2024 C.Hasil: the administrasi section (section I), notes, objections, and forms
 * stored as written when the paper itself does not add up.
 */

const SHEET: BallotSheet = {
  ballot: 'PPWP',
  options: [{ number: '01', name: 'Anies-Muhaimin' }, { number: '02', name: 'Prabowo-Gibran' }, { number: '03', name: 'Ganjar-Mahfud' }],
};

/** Section I as on the API.md example: 286 registered, 184 voted. */
const administrasi = () => ({
  registered: { dpt: { l: 140, p: 141 }, dptb: { l: 2, p: 1 }, dpk: { l: 1, p: 1 } },
  voted: { dpt: { l: 90, p: 90 }, dptb: { l: 1, p: 1 }, dpk: { l: 1, p: 1 } },
  disabled: { registered: { l: 1, p: 0 }, voted: { l: 1, p: 0 } },
});
const realForm = (over: Record<string, unknown> = {}) => ({
  votes: { '01': 50, '02': 120, '03': 10 },
  valid: 180,
  invalid: 4,
  administrasi: administrasi(),
  notes: 'Hujan deras pukul 10.00, pemungutan suara dihentikan 15 menit.',
  objections: 1,
  ...over,
});

const paths = (r: ValidationResult) => (r.ok ? [] : r.issues.map((i) => i.path)).sort();
const codes = (r: ValidationResult) => r.flags.map((f) => f.code);

describe('administrasi section', () => {
  it('given a consistent real form, when validated, then it is accepted with voters derived from the section', () => {
    const r = validateForm('PPWP', SHEET, realForm());
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.form.voters).toEqual({ dpt: 286, voted: 184 });
      expect(r.form).toMatchObject({ notes: realForm().notes, objections: 1 });
    }
  });

  it('given voters that agree with the section, then accepted; that disagree, then each broken sum is named', () => {
    expect(validateForm('PPWP', SHEET, realForm({ voters: { dpt: 286, voted: 184 } })).ok).toBe(true);
    const r = validateForm('PPWP', SHEET, realForm({ voters: { dpt: 280, voted: 185 } }));
    // voted 185 disagrees with the section (184) and with valid + invalid (184): two rules, two issues.
    expect(paths(r)).toEqual(['form.voters.dpt', 'form.voters.voted', 'form.voters.voted']);
  });

  it('given the section voted sum differing from valid + invalid, then form.voters.voted is named', () => {
    const a = administrasi();
    a.voted.dpt.l = 89;
    expect(paths(validateForm('PPWP', SHEET, realForm({ administrasi: a })))).toEqual(['form.voters.voted']);
  });

  it('given more voters of a list than its registered voters plus 2%, then that list is named; within the margin, accepted', () => {
    const within = administrasi();
    within.registered.dpt = { l: 90, p: 90 }; // 180 registered, limit 184 → 180 voted is fine
    within.voted.dpt = { l: 90, p: 90 };
    expect(validateForm('PPWP', SHEET, realForm({ administrasi: within })).ok).toBe(true);

    const over = administrasi();
    over.registered.dptb = { l: 0, p: 0 }; // nobody moved in, yet 2 DPTb voters
    over.registered.dpt = { l: 141, p: 143 };
    const r = validateForm('PPWP', SHEET, realForm({ administrasi: over }));
    expect(paths(r)).toEqual(['form.administrasi.voted.dptb']);
    expect(r.ok ? '' : r.issues[0].message).toContain('DPTb 2 melebihi pemilih terdaftar DPTb 0');
  });

  it('given more voters with disabilities than voters of that sex, or than disabled registered, then named per sex', () => {
    const a = administrasi();
    a.disabled = { registered: { l: 1, p: 200 }, voted: { l: 2, p: 0 } };
    expect(paths(validateForm('PPWP', SHEET, realForm({ administrasi: a })))).toEqual([
      'form.administrasi.disabled.registered.p',
      'form.administrasi.disabled.voted.l',
    ]);
  });

  it('given an unknown field anywhere in the section, then it is refused by name and can never be stored as written', () => {
    const a = { ...administrasi(), registered: { ...administrasi().registered, dpth: { l: 1, p: 1 } } };
    const r = validateForm('PPWP', SHEET, realForm({ administrasi: a, asWritten: true }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path)).toContain('form.administrasi.registered.dpth');
      expect(r.canStoreAsWritten).toBe(false);
    }
  });

  it('given notes longer than 2,000 characters or with a bidi override, then form.notes is named', () => {
    expect(paths(validateForm('PPWP', SHEET, realForm({ notes: 'x'.repeat(MAX_NOTES + 1) })))).toEqual(['form.notes']);
    expect(paths(validateForm('PPWP', SHEET, realForm({ notes: 'abc\u202Edef' })))).toEqual(['form.notes']);
  });
});

describe('as written', () => {
  const slipped = () => realForm({ valid: 181 }); // the KPPS added the votes up wrong

  it('given an arithmetic slip without asWritten, then refused listing it, and the answer says it may be stored as written', () => {
    const r = validateForm('PPWP', SHEET, slipped());
    expect(r).toMatchObject({ ok: false, canStoreAsWritten: true });
    expect(paths(r)).toEqual(['form.valid', 'form.voters.voted']);
  });

  it('given the same slip with asWritten, then stored exactly as written with one inconsistent_as_written flag per failed rule', () => {
    const r = validateForm('PPWP', SHEET, { ...slipped(), asWritten: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.form).toMatchObject({ ...slipped(), asWritten: true });
    const inconsistent = r.flags.filter((f) => f.code === 'inconsistent_as_written');
    expect(inconsistent.map((f) => f.path).sort()).toEqual(['form.valid', 'form.voters.voted']);
    expect(inconsistent[0].message).toContain('sesuai tertulis di formulir');
  });

  it('then it sorts before any other flag in the verifiers\u2019 queue', () => {
    const r = validateForm('PPWP', SHEET, { ...slipped(), asWritten: true });
    expect(flagSeverity(r.flags)).toBeGreaterThan(flagSeverity([{ code: 'turnout_over_dpt' }, { code: 'option_over_300' }]));
  });

  it('given asWritten with an option not on the ballot, then refused anyway', () => {
    const r = validateForm('PPWP', SHEET, { ...slipped(), votes: { '01': 50, '02': 120, '04': 11 }, asWritten: true });
    expect(r).toMatchObject({ ok: false, canStoreAsWritten: false });
    expect(paths(r)).toContain('form.votes.04');
  });

  it('given asWritten on a consistent form, then accepted without an inconsistency flag', () => {
    const r = validateForm('PPWP', SHEET, realForm({ asWritten: true }));
    expect(r.ok).toBe(true);
    expect(codes(r)).not.toContain('inconsistent_as_written');
  });

  it('given asWritten that is not true or false, then form.asWritten is named', () => {
    expect(paths(validateForm('PPWP', SHEET, realForm({ asWritten: 'ya' })))).toEqual(['form.asWritten']);
  });
});

describe('property: a form is refused with named fields or stored with flags, never half', () => {
  const count = fc.nat(320);
  const sex = fc.record({ l: count, p: count });
  const rows = fc.record({ dpt: sex, dptb: sex, dpk: sex });
  const formArb = fc.record(
    {
      votes: fc.dictionary(fc.constantFrom('01', '02', '03', '04'), count, { maxKeys: 4 }),
      valid: count,
      invalid: fc.oneof(count, fc.constant(-1)),
      voters: fc.record({ dpt: count, voted: count }),
      ballots: fc.record({ received: count, used: count, damaged: count, unused: count }),
      administrasi: fc.record({ registered: rows, voted: rows, disabled: fc.record({ registered: sex, voted: sex }) }),
      notes: fc.string({ maxLength: 30 }),
      objections: count,
      asWritten: fc.oneof(fc.boolean(), fc.constant('ya')),
      extra: count,
    },
    { requiredKeys: ['votes', 'valid', 'invalid'] },
  );

  it('holds for any form', () => {
    fc.assert(
      fc.property(formArb, (raw) => {
        const r = validateForm('PPWP', SHEET, raw);
        if (r.ok) {
          // Stored: every number as sent (voters at most derived), the notes as free text is kept
          // (normalised: " " is stored as ""), and any failed rule is a flag.
          const { voters: _v, ...sent } = raw as Record<string, unknown>;
          expect(r.form).toMatchObject(typeof sent.notes === 'string' ? { ...sent, notes: normalizeText(sent.notes) } : sent);
          const flagged = r.flags.some((f) => f.code === 'inconsistent_as_written');
          const again = validateForm('PPWP', SHEET, { ...raw, asWritten: false });
          expect(flagged).toBe(!again.ok);
          if (flagged) expect(raw.asWritten).toBe(true);
        } else {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const issue of r.issues) expect(issue.path).toMatch(/^form\.[a-zA-Z0-9.]+/);
          expect(r.canStoreAsWritten).toBe(raw.asWritten !== true && r.issues.every((i) => !/votes\.04|extra|invalid$|asWritten|notes/.test(i.path)));
        }
      }),
      { numRuns: 400 },
    );
  });
});
