import { BALLOTS, type Ballot, type BallotSheet, type ElectionConfig } from '@suara/contracts';
import { DapilIndex } from './dapil-index';

const indexes = new WeakMap<ElectionConfig, DapilIndex>();

/** The dapil index of a config (built once per config object). */
export function dapilIndexOf(config: ElectionConfig): DapilIndex {
  let index = indexes.get(config);
  if (!index) {
    index = new DapilIndex(config.dapils);
    indexes.set(config, index);
  }
  return index;
}

/** The dapil of a party-list ballot that covers a TPS: the one listing the TPS's nearest region. */
export function dapilFor(config: ElectionConfig, ballot: Ballot, tpsCode: string) {
  const code = dapilIndexOf(config).dapilOf(ballot, tpsCode);
  return code === undefined ? undefined : config.dapils.find((d) => d.ballot === ballot && d.code === code);
}

/** One ballot as printed at a TPS: the options a submission for it is checked against. */
export function ballotSheet(config: ElectionConfig, ballot: Ballot, tpsCode: string): BallotSheet | undefined {
  switch (ballot) {
    case 'PPWP':
      return { ballot, options: config.paslon.map((p) => ({ number: p.number, name: p.name, color: p.color })) };
    case 'DPD':
      return tpsCode.startsWith(config.dpd.provinsiCode)
        ? { ballot, options: config.dpd.candidates.map((c) => ({ number: c.number, name: c.name })) }
        : undefined;
    default: {
      const dapil = dapilFor(config, ballot, tpsCode);
      if (!dapil) return undefined;
      return {
        ballot,
        dapil: dapil.code,
        options: config.parties.map((p) => ({ number: p.number, name: p.shortName, candidates: dapil.candidates[p.number] ?? [] })),
      };
    }
  }
}

/** The five ballots of a TPS, those whose district covers it. */
export function ballotSheets(config: ElectionConfig, tpsCode: string): BallotSheet[] {
  return BALLOTS.map((b) => ballotSheet(config, b, tpsCode)).filter((s): s is BallotSheet => s !== undefined);
}
