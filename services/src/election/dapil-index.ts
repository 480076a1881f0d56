import type { Ballot, Dapil } from '@suara/contracts';

/** What the tallies need of a dapil: which regions vote in it. */
export type DapilPlace = Pick<Dapil, 'code' | 'ballot' | 'regionCodes'>;

/**
 * Which dapil a TPS or region votes in, from the dapils' region codes: the dapil listing the code's
 * nearest region (longest prefix) wins, so a dapil may list a kecamatan and another one desa of it.
 * Pure; used by the ballot sheets, the dapil tallies and their check.
 */
export class DapilIndex {
  private readonly byBallot = new Map<string, Array<{ code: string; regionCode: string }>>();
  private readonly covering = new Map<string, string | undefined>();
  private readonly spanning = new Map<string, boolean>();

  constructor(readonly dapils: readonly DapilPlace[]) {
    for (const d of dapils) {
      const list = this.byBallot.get(d.ballot) ?? [];
      for (const regionCode of d.regionCodes) list.push({ code: d.code, regionCode });
      this.byBallot.set(d.ballot, list);
    }
    // Longest region code first: the first prefix found is the nearest region.
    for (const list of this.byBallot.values()) list.sort((a, b) => b.regionCode.length - a.regionCode.length);
  }

  /** The dapil of `ballot` a TPS (or a region wholly inside one dapil) votes in; undefined when none lists it. */
  dapilOf(ballot: Ballot, code: string): string | undefined {
    const key = `${ballot}|${code}`;
    if (this.covering.has(key)) return this.covering.get(key);
    const found = this.byBallot.get(ballot)?.find((e) => code.startsWith(e.regionCode))?.code;
    this.covering.set(key, found);
    return found;
  }

  /**
   * Whether the TPS under a region vote in more than one dapil of `ballot`: then the region's tally
   * may not carry candidate sums (they would add up different people). True when a dapil lists a
   * region strictly inside it that belongs to another dapil than the region's own.
   */
  spans(ballot: Ballot, regionCode: string): boolean {
    const key = `${ballot}|${regionCode}`;
    let spans = this.spanning.get(key);
    if (spans === undefined) {
      const inside = new Set<string>();
      const own = this.dapilOf(ballot, regionCode);
      if (own) inside.add(own);
      for (const e of this.byBallot.get(ballot) ?? []) {
        if (e.regionCode.length > regionCode.length && e.regionCode.startsWith(regionCode)) inside.add(e.code);
      }
      spans = inside.size > 1;
      this.spanning.set(key, spans);
    }
    return spans;
  }
}

/**
 * The dapils an election id's results are tallied by: those of the master-data version the id was
 * entered against (each simulation run and the real election have one; see `election_master_data`).
 */
export type DapilLookup = (electionId: string) => DapilIndex;

/** One index for every election id (tests, and callers with a single version), or the lookup itself. */
export const dapilLookupOf = (dapils: DapilIndex | DapilLookup): DapilLookup => (typeof dapils === 'function' ? dapils : () => dapils);
