import { describe, expect, it } from 'vitest';
import { isPartyBallot, votersOfAdministrasi, type Ballot, type BallotSheet, type CHasilForm, type FlatForm, type PartyForm } from '@suara/contracts';
import { seededRandom } from '../quickcount/sample';
import { administrasiIssues, validateForm } from '../tabulation/chasil.validation';
import { desaDelayMinutes } from './evening';
import {
  administrasiOf, applyMistake, apportion, arrivalOffsets, COUNTING_ORDER, EVENING_SECONDS, formatClock, generateForm, MAX_DPT, MIN_DPT,
  MISTAKE_KINDS, planElectionDay, REJECTED_MISTAKES, type TpsInfo,
} from './election-day';

const PARTIES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '24'];
const partySheet = (ballot: Ballot, dapil: string, perParty: number): BallotSheet => ({
  ballot, dapil,
  options: PARTIES.map((p) => ({
    number: p, name: `Partai ${p}`,
    candidates: Array.from({ length: perParty }, (_, i) => ({ number: String(i + 1), name: `Calon ${i + 1}`, generated: true })),
  })),
});
const SHEETS: BallotSheet[] = [
  { ballot: 'PPWP', options: ['01', '02', '03'].map((n) => ({ number: n, name: `Paslon ${n}` })) },
  partySheet('DPR', 'DPR-2', 10),
  { ballot: 'DPD', options: Array.from({ length: 12 }, (_, i) => ({ number: String(i + 1), name: `Calon DPD ${i + 1}` })) },
  partySheet('DPRD_PROV', 'PROV-7', 8),
  partySheet('DPRD_KAB', 'KAB-1', 5),
];
const sheetOf = (b: Ballot) => SHEETS.find((s) => s.ballot === b)!;

function tpsList(desaCount: number, perDesa: number, kelurahan = false): TpsInfo[] {
  const out: TpsInfo[] = [];
  for (let d = 1; d <= desaCount; d++) {
    const desaCode = `122201${String((kelurahan ? 1000 : 2000) + d)}`;
    const place = { kelurahan, desaTps: perDesa };
    for (let t = 1; t <= perDesa; t++) out.push({ code: `${desaCode}${String(t).padStart(3, '0')}`, desaCode, place, ballots: SHEETS });
  }
  return out;
}

function sumVotes(ballot: Ballot, form: CHasilForm): number {
  if (!isPartyBallot(ballot)) return Object.values((form as FlatForm).votes).reduce((a, b) => a + b, 0);
  return Object.values((form as PartyForm).votes).reduce((a, v) => a + v.party + Object.values(v.candidates).reduce((x, y) => x + y, 0), 0);
}

describe('planElectionDay', () => {
  const tps = tpsList(12, 10);
  const day = planElectionDay(tps, { seed: 'spec', mistakeShare: 0.03 });

  it('plans every ballot of every TPS, in arrival order', () => {
    expect(day.submissions).toHaveLength(tps.length * 5);
    const offsets = day.submissions.map((s) => s.offsetSeconds);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('generates DPT 150–300 per TPS, marked generated', () => {
    for (const t of day.tps) {
      expect(t.dpt).toBeGreaterThanOrEqual(MIN_DPT);
      expect(t.dpt).toBeLessThanOrEqual(MAX_DPT);
      expect(t.dptGenerated).toBe(true);
      expect(t.voted).toBeLessThan(t.dpt);
    }
  });

  it('gives true forms whose numbers add up and pass the server\'s rules without a flag', () => {
    for (const s of day.submissions) {
      const f = s.trueForm;
      expect(sumVotes(s.ballot, f)).toBe(f.valid);
      expect(f.valid + f.invalid).toBe(f.voters!.voted);
      expect(f.ballots!.used).toBe(f.voters!.voted);
      expect(f.ballots!.used + f.ballots!.damaged + f.ballots!.unused).toBe(f.ballots!.received);
      const checked = validateForm(s.ballot, sheetOf(s.ballot), f);
      expect(checked.ok).toBe(true);
      expect(checked.flags).toEqual([]);
    }
  });

  it('sends the true form unless a mistake was planned, for about the asked share', () => {
    const big = planElectionDay(tpsList(40, 10), { seed: 'share', mistakeShare: 0.1 });
    const withMistake = big.submissions.filter((s) => s.mistake);
    expect(withMistake.length / big.submissions.length).toBeGreaterThan(0.08);
    expect(withMistake.length / big.submissions.length).toBeLessThan(0.12);
    for (const s of big.submissions) if (!s.mistake) expect(s.form).toBe(s.trueForm);
    expect(new Set(withMistake.map((s) => s.mistake!.kind))).toEqual(new Set(MISTAKE_KINDS));
    expect(planElectionDay(tps, { seed: 'none', mistakeShare: 0 }).submissions.every((s) => !s.mistake)).toBe(true);
  });

  it('is the same day for the same seed whatever the TPS order, another for another seed', () => {
    const again = planElectionDay([...tps].reverse(), { seed: 'spec', mistakeShare: 0.03 });
    expect(again.submissions).toEqual(day.submissions);
    const other = planElectionDay(tps, { seed: 'other', mistakeShare: 0.03 });
    expect(other.submissions.map((s) => s.offsetSeconds)).not.toEqual(day.submissions.map((s) => s.offsetSeconds));
  });

  it('plays only the chosen ballots', () => {
    const only = planElectionDay(tps, { seed: 'spec', mistakeShare: 0, ballots: ['PPWP', 'DPD'] });
    expect(new Set(only.submissions.map((s) => s.ballot))).toEqual(new Set(['PPWP', 'DPD']));
    expect(only.submissions).toHaveLength(tps.length * 2);
  });

  it('lets shares vary by desa: TPS of one desa vote more alike than TPS of different desa', () => {
    const share02 = (f: CHasilForm) => (f as FlatForm).votes['02'] / f.valid;
    const ppwp = planElectionDay(tpsList(30, 10), { seed: 'lean', mistakeShare: 0 }).submissions.filter((s) => s.ballot === 'PPWP');
    const byDesa = new Map<string, number[]>();
    for (const s of ppwp) byDesa.set(s.desaCode, [...(byDesa.get(s.desaCode) ?? []), share02(s.trueForm)]);
    const variance = (xs: number[]) => { const m = xs.reduce((a, b) => a + b, 0) / xs.length; return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1); };
    const within = [...byDesa.values()].map(variance).reduce((a, b) => a + b, 0) / byDesa.size;
    const between = variance([...byDesa.values()].map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length));
    expect(between).toBeGreaterThan(within / 10);
    const overall = ppwp.reduce((a, s) => a + (s.trueForm as FlatForm).votes['02'], 0) / ppwp.reduce((a, s) => a + s.trueForm.valid, 0);
    expect(overall).toBeGreaterThan(0.45);
    expect(overall).toBeLessThan(0.8);
  });
});

describe('arrivalOffsets', () => {
  const rng = seededRandom('arrivals');
  const days = Array.from({ length: 3000 }, (_, i) => arrivalOffsets(rng, { urbanity: (i % 11) / 10, voted: 150 + (i % 120), desaDelayMinutes: 30 * (1 - (i % 11) / 10) * rng.float() }));
  const all = days.flatMap((d) => Object.values(d));

  it('keeps every arrival inside the evening 13:00–19:00', () => {
    for (const t of all) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(EVENING_SECONDS);
    }
  });

  it('starts slowly, peaks in the middle and has a long tail', () => {
    const bins = new Array(12).fill(0); // 30-minute bins
    for (const t of all) bins[Math.min(11, Math.floor(t / 1800))]++;
    const peak = bins.indexOf(Math.max(...bins));
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThanOrEqual(8);
    expect(bins[0]).toBeLessThan(bins[peak] / 4);
    expect(bins[11]).toBeLessThan(bins[peak] / 4);
    expect(bins[11]).toBeGreaterThan(0);
    // right-skewed: the PPWP arrivals' mean lies above their median
    const ppwp = days.map((d) => d.PPWP).sort((a, b) => a - b);
    const mean = ppwp.reduce((a, b) => a + b, 0) / ppwp.length;
    expect(mean).toBeGreaterThan(ppwp[Math.floor(ppwp.length / 2)]);
  });

  it('brings the ballots in counting order, give or take an upload delay', () => {
    const inOrder = days.filter((d) => COUNTING_ORDER.every((b, i) => i === 0 || d[COUNTING_ORDER[i - 1]] <= d[b])).length;
    expect(inOrder / days.length).toBeGreaterThan(0.5);
    const meanOf = (b: Ballot) => days.reduce((a, d) => a + d[b], 0) / days.length;
    expect(meanOf('PPWP')).toBeLessThan(meanOf('DPR'));
    expect(meanOf('DPRD_PROV')).toBeLessThan(meanOf('DPRD_KAB'));
  });

  it('formats offsets as the wall clock', () => {
    expect(formatClock(0)).toBe('13:00');
    expect(formatClock(3 * 3600 + 25 * 60 + 59)).toBe('16:25');
    expect(formatClock(EVENING_SECONDS)).toBe('19:00');
  });
});

describe('a real evening: place drives DPT, vote and arrival', () => {
  // 20 kelurahan-like desa of 40 TPS and 40 remote desa of 3 TPS, the same seed
  const towns = tpsList(20, 40, true);
  const villages = tpsList(40, 3);
  const day = planElectionDay([...towns, ...villages], { seed: 'evening', mistakeShare: 0, ballots: ['PPWP'] });
  const isTown = (code: string) => code.slice(6, 7) === '1';
  const ppwp = day.submissions;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const share01 = (subs: typeof ppwp) => subs.reduce((a, s) => a + (s.trueForm as FlatForm).votes['01'], 0) / subs.reduce((a, s) => a + s.trueForm.valid, 0);

  it('brings town TPS in first: the median town C.Hasil arrives well before the median village one', () => {
    const town = median(ppwp.filter((s) => isTown(s.tpsCode)).map((s) => s.offsetSeconds));
    const village = median(ppwp.filter((s) => !isTown(s.tpsCode)).map((s) => s.offsetSeconds));
    expect(village - town).toBeGreaterThan(20 * 60);
  });

  it('fills town TPS fuller, and a bigger TPS counts longer', () => {
    const dpt = (town: boolean) => median(day.tps.filter((t) => isTown(t.tpsCode) === town).map((t) => t.dpt));
    expect(dpt(true)).toBeGreaterThan(dpt(false) + 40);
    const rng = seededRandom('size');
    const at = (voted: number) => median(Array.from({ length: 2000 }, () => arrivalOffsets(rng, { urbanity: 0.5, voted, desaDelayMinutes: 0 }).PPWP));
    expect(at(280)).toBeGreaterThan(at(150) + 10 * 60);
  });

  it('lets towns lean to paslon 01 and villages to 02', () => {
    const town = ppwp.filter((s) => isTown(s.tpsCode));
    const village = ppwp.filter((s) => !isTown(s.tpsCode));
    expect(share01(town) - share01(village)).toBeGreaterThan(0.05);
  });

  it('keeps a desa late together: its shared delay varies between desa, more so for remote ones', () => {
    const spread = (u: number) => {
      const delays = Array.from({ length: 200 }, (_, i) => desaDelayMinutes('evening', `d${i}`, u));
      return Math.max(...delays) - Math.min(...delays);
    };
    expect(desaDelayMinutes('evening', 'town', 1)).toBe(0);
    expect(spread(0.1)).toBeGreaterThan(30);
  });
});

describe('applyMistake', () => {
  const rng = seededRandom('mistakes');
  const voters = { dpt: 281, voted: 230 };

  it('makes every kind on every ballot, and the server\'s own rules reject or flag each as expected', () => {
    for (const sheet of SHEETS) {
      for (const kind of MISTAKE_KINDS) {
        for (let i = 0; i < 40; i++) {
          const dpt = 150 + rng.int(151);
          const truth = generateForm(sheet, { dpt, voted: Math.round(dpt * (0.6 + 0.35 * rng.float())) }, rng);
          const { form, mistake } = applyMistake(truth, sheet.ballot, kind, rng);
          expect(form).not.toEqual(truth);
          const checked = validateForm(sheet.ballot, sheet, form);
          if (mistake.expect === 'rejected') {
            expect(REJECTED_MISTAKES).toContain(mistake.kind);
            expect(checked.ok, `${sheet.ballot} ${mistake.kind}: ${mistake.description}`).toBe(false);
          } else {
            expect(checked.ok, `${sheet.ballot} ${mistake.kind}: ${mistake.description}`).toBe(true);
            expect(checked.flags.length, `${sheet.ballot} ${mistake.kind}: ${mistake.description}`).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('never touches the true form', () => {
    const truth = generateForm(sheetOf('DPR'), voters, rng);
    const copy = structuredClone(truth);
    for (const kind of MISTAKE_KINDS) applyMistake(truth, 'DPR', kind, rng);
    expect(truth).toEqual(copy);
  });

  it('misreads a confusable digit (7↔1 and friends) or swaps two digits of one count', () => {
    const truth: CHasilForm = { votes: { '01': 71, '02': 100, '03': 9 }, valid: 180, invalid: 4, voters: { dpt: 281, voted: 184 } };
    const misread = applyMistake(truth, 'PPWP', 'misread_digit', seededRandom('m'));
    const changed = Object.entries((misread.form as FlatForm).votes).filter(([k, v]) => (truth as FlatForm).votes[k] !== v);
    expect(changed).toHaveLength(1);
    expect(misread.mistake).toMatchObject({ kind: 'misread_digit', expect: 'rejected', path: `form.votes.${changed[0][0]}` });
    const swapped = applyMistake(truth, 'PPWP', 'swapped_digits', seededRandom('s'));
    expect((swapped.form as FlatForm).votes['01']).toBe(17);
    expect(swapped.mistake.description).toContain('71 ditulis 17');
  });

  it('puts votes over DPT with a misread or dropped DPT digit', () => {
    const truth = generateForm(sheetOf('PPWP'), voters, rng);
    const { form, mistake } = applyMistake(truth, 'PPWP', 'dpt_misread', seededRandom('d'));
    expect(mistake.path).toBe('form.voters.dpt');
    expect(form.voters!.voted).toBeGreaterThan(form.voters!.dpt * 1.02);
    expect(validateForm('PPWP', sheetOf('PPWP'), form).flags.map((f) => f.code)).toContain('turnout_over_dpt');
  });
});

describe('apportion', () => {
  it('splits a total into integer parts that add up exactly', () => {
    expect(apportion(10, [0.5, 0.3, 0.2])).toEqual([5, 3, 2]);
    expect(apportion(10, [1 / 3, 1 / 3, 1 / 3])).toEqual([4, 3, 3]);
    expect(apportion(0, [0.5, 0.5])).toEqual([0, 0]);
    expect(apportion(7, [])).toEqual([]);
  });
});

describe('the real form on election day', () => {
  it('section I of a generated paper adds up to its DPT and voters and passes every administrasi rule', () => {
    for (const [dpt, voted] of [[150, 83], [281, 184], [300, 291]] as const) {
      const a = administrasiOf(dpt, voted);
      expect(votersOfAdministrasi(a)).toEqual({ dpt, voted });
      expect(administrasiIssues(a, { dpt, voted })).toEqual([]);
    }
  });

  it('plays papers that do not add up, refused unless sent as written, and TPS entered on behalf, on their own random streams', () => {
    const tps = Array.from({ length: 40 }, (_, i) => ({ code: `1222011001${String(i + 1).padStart(3, '0')}`, desaCode: '1222011001', place: { kelurahan: true, desaTps: 40 }, ballots: [sheetOf('PPWP')] }));
    const plain = planElectionDay(tps, { seed: 's', mistakeShare: 0.1 });
    const real = planElectionDay(tps, { seed: 's', mistakeShare: 0.1, asWrittenShare: 0.3, onBehalfShare: 0.2 });
    // Every other draw of the day is as it was.
    expect(real.submissions.map((s) => s.offsetSeconds)).toEqual(plain.submissions.map((s) => s.offsetSeconds));
    const slips = real.submissions.filter((s) => s.paperSlip);
    expect(slips.length).toBeGreaterThan(0);
    for (const s of slips) {
      expect(s.mistake).toBeUndefined();
      expect(s.form).toBe(s.trueForm);
      const refused = validateForm('PPWP', sheetOf('PPWP'), s.form);
      expect(refused).toMatchObject({ ok: false, canStoreAsWritten: true });
      const stored = validateForm('PPWP', sheetOf('PPWP'), { ...s.form, asWritten: true });
      expect(stored.flags.map((f) => f.code)).toContain('inconsistent_as_written');
    }
    expect(real.submissions.some((s) => s.onBehalf)).toBe(true);
  });
});
