/**
 * Fixed lists the dashboard needs at runtime, in a module without zod: importing a schema module
 * drags all of zod into the bundle (see dashboard/vite.config.ts). The schema modules re-export them.
 */

/** The five ballots of Pemilu 2024. */
export const BALLOTS = ['PPWP', 'DPR', 'DPD', 'DPRD_PROV', 'DPRD_KAB'] as const;

/** Ballots whose options are parties with candidates (party-list ballots). */
export const PARTY_BALLOTS: readonly (typeof BALLOTS)[number][] = ['DPR', 'DPRD_PROV', 'DPRD_KAB'];
export const isPartyBallot = (b: (typeof BALLOTS)[number]): boolean => PARTY_BALLOTS.includes(b);

/** The voter-list rows of the C.Hasil's section I, as printed: DPT, DPTb (pindahan), DPK (khusus). */
export const VOTER_ROWS = ['dpt', 'dptb', 'dpk'] as const;
export type VoterRow = (typeof VOTER_ROWS)[number];

/** The files of a master-data folder (README, "Master data"); `election.json` may be left out of an import. */
export const MASTER_DATA_FILES = ['election.json', 'regions.csv', 'tps.csv', 'parties.csv', 'paslon.csv', 'dapils.csv', 'candidates.csv'] as const;
export type MasterDataFile = (typeof MASTER_DATA_FILES)[number];
