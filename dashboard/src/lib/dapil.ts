import type { DapilTallyView, ElectionView, Totals } from '@suara/contracts';
import { electionBallot, paletteColor } from './options';

/** A dapil tally's parties as a region tally's vote keys (`{p}`, `{p}.p`, `{p}.c{n}`), for `optionRows`. */
export function dapilTotals(view: DapilTallyView): Totals {
  const votes: Record<string, number> = {};
  for (const [party, p] of Object.entries(view.totals.parties)) {
    votes[party] = p.total;
    votes[`${party}.p`] = p.party;
    for (const [c, n] of Object.entries(p.candidates)) votes[`${party}.c${c}`] = n;
  }
  return { votes, valid: view.totals.valid, invalid: view.totals.invalid };
}

/** The dapil of a ballot a region lies in (nearest listed region), or the ballot's first dapil. */
export function defaultDapil(election: ElectionView | null, ballot: string, regionCode: string): string | undefined {
  const dapils = electionBallot(election, ballot)?.dapils ?? [];
  let best: { code: string; length: number } | undefined;
  for (const d of dapils) {
    for (const r of d.regionCodes) if (regionCode.startsWith(r) && r.length > (best?.length ?? -1)) best = { code: d.code, length: r.length };
  }
  return best?.code ?? dapils[0]?.code;
}

export interface CandidateLine { party: string; partyName: string; color: string; number: string; name: string; votes: number }

/** Every candidate of the dapil with votes, most first: names from the dapil's list (DCT). */
export function candidateLines(election: ElectionView | null, view: DapilTallyView): CandidateLine[] {
  const b = electionBallot(election, view.ballot);
  const dapil = b?.dapils?.find((d) => d.code === view.dapil.code);
  const parties = b?.parties ?? [];
  const lines: CandidateLine[] = [];
  for (const [party, p] of Object.entries(view.totals.parties)) {
    const i = parties.findIndex((x) => x.number === party);
    const names = new Map((dapil?.candidates[party] ?? []).map((c) => [c.number, c.name]));
    for (const [number, votes] of Object.entries(p.candidates)) {
      if (votes > 0) lines.push({ party, partyName: parties[i]?.shortName ?? `Partai ${party}`, color: paletteColor(Math.max(0, i)), number, name: names.get(number) ?? `Calon nomor ${number}`, votes });
    }
  }
  return lines.sort((a, b) => b.votes - a.votes || Number(a.party) - Number(b.party) || Number(a.number) - Number(b.number));
}

/** Party rows of a region's per-dapil breakdown: each party's total in each dapil, in ballot order. */
export function byDapilRows(election: ElectionView | null, ballot: string, byDapil: NonNullable<Totals['byDapil']>) {
  const parties = electionBallot(election, ballot)?.parties ?? [];
  const dapils = Object.keys(byDapil).sort();
  const numbers = parties.length ? parties.map((p) => p.number) : [...new Set(dapils.flatMap((d) => Object.keys(byDapil[d])))];
  return {
    dapils,
    rows: numbers.map((n, i) => ({ party: n, name: parties[i]?.shortName ?? `Partai ${n}`, color: paletteColor(i), perDapil: dapils.map((d) => byDapil[d][n] ?? 0) })),
  };
}
