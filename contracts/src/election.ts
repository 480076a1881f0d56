import { z } from 'zod';
import { Ballot, RegionLevel } from './ids';

export const Paslon = z.object({
  number: z.string(),
  name: z.string(),
  capres: z.string(),
  cawapres: z.string(),
  color: z.string(),
});
export type Paslon = z.infer<typeof Paslon>;

export const Candidate = z.object({
  number: z.string(),
  name: z.string(),
  /** true when the name is a generated placeholder, not the real KPU list. */
  generated: z.boolean().default(false),
});
export type Candidate = z.infer<typeof Candidate>;

export const Party = z.object({ number: z.string(), name: z.string(), shortName: z.string() });
export type Party = z.infer<typeof Party>;

/** An electoral district (dapil) of a party-list ballot, with each party's candidates there. */
export const Dapil = z.object({
  ballot: z.enum(['DPR', 'DPRD_PROV', 'DPRD_KAB']),
  code: z.string(),
  name: z.string(),
  /** Seats the dapil elects (UU 7/2017: DPR 3–10, DPRD 3–12); split among parties by Sainte-Laguë. */
  seats: z.number().int().min(1),
  /** Region codes (any level) whose TPS vote in this dapil; codes outside this deployment are allowed. */
  regionCodes: z.array(z.string()),
  candidates: z.record(z.string(), z.array(Candidate)),
  generated: z.boolean().default(false),
});
export type Dapil = z.infer<typeof Dapil>;

export const ElectionConfig = z.object({
  /** Stable id of the election, e.g. "labusel-2024". Simulation runs derive their own ids from it. */
  id: z.string(),
  name: z.string(),
  kabupatenCode: z.string(),
  provinsiCode: z.string(),
  paslon: z.array(Paslon),
  parties: z.array(Party),
  dapils: z.array(Dapil),
  dpd: z.object({ provinsiCode: z.string(), candidates: z.array(Candidate) }),
});
export type ElectionConfig = z.infer<typeof ElectionConfig>;

export const Region = z.object({
  code: z.string(),
  level: RegionLevel,
  name: z.string(),
  parentCode: z.string().nullable(),
});
export type Region = z.infer<typeof Region>;

export const Tps = z.object({ code: z.string(), desaCode: z.string(), number: z.number().int(), name: z.string() });
export type Tps = z.infer<typeof Tps>;

export const ElectionPhase = z.enum(['simulation', 'real']);
export type ElectionPhase = z.infer<typeof ElectionPhase>;

/** The deployment after a phase switch or a simulation reset (also the socket's `election` event). */
export const DeploymentChange = z.object({ mode: ElectionPhase, activeElectionId: z.string() });
export type DeploymentChange = z.infer<typeof DeploymentChange>;

export { MASTER_DATA_FILES, type MasterDataFile } from './lists';

/** One bad line of a master-data folder: which file, which line (0 = the file as a whole), which column, why. */
export const MasterDataProblem = z.object({
  file: z.string(),
  line: z.number().int().min(0),
  field: z.string().optional(),
  message: z.string(),
});
export type MasterDataProblem = z.infer<typeof MasterDataProblem>;

/** `POST /api/admin/election/import` (201): the new master-data version, now the one submissions are checked against. */
export const MasterDataImportResult = z.object({
  version: z.number().int().min(1),
  mode: ElectionPhase,
  /** In the simulation a new version starts a fresh run: its id. */
  activeElectionId: z.string(),
  counts: z.object({
    regions: z.number().int(), tps: z.number().int(), parties: z.number().int(), paslon: z.number().int(),
    dapils: z.number().int(), candidates: z.number().int(),
  }),
});
export type MasterDataImportResult = z.infer<typeof MasterDataImportResult>;

/** One option of a ballot as printed at a TPS. Party options carry their candidates. */
export const BallotOption = z.object({
  number: z.string(),
  name: z.string(),
  color: z.string().optional(),
  candidates: z.array(Candidate).optional(),
});
export type BallotOption = z.infer<typeof BallotOption>;

export const BallotSheet = z.object({ ballot: Ballot, dapil: z.string().optional(), options: z.array(BallotOption) });
export type BallotSheet = z.infer<typeof BallotSheet>;

/** `GET /api/election`. */
export const ElectionView = z.object({
  id: z.string(),
  /** The id events are written under now: the real election id, or the current simulation run's. */
  activeElectionId: z.string(),
  name: z.string(),
  mode: ElectionPhase,
  /** The master-data version new submissions are checked against (1 = the first load). */
  masterDataVersion: z.number().int().min(1).optional(),
  kabupatenCode: z.string(),
  ballots: z.array(
    z.object({
      ballot: Ballot,
      name: z.string(),
      paslon: z.array(Paslon).optional(),
      parties: z.array(Party).optional(),
      dapils: z.array(Dapil).optional(),
      candidates: z.array(Candidate).optional(),
    }),
  ),
});
export type ElectionView = z.infer<typeof ElectionView>;

/** `GET /api/election/mode`, open to anyone: the login page warns about the simulation before anyone signs in. */
export const ElectionModeView = z.object({ mode: ElectionPhase });
export type ElectionModeView = z.infer<typeof ElectionModeView>;

export const RegionChild = z.object({ code: z.string(), level: RegionLevel, name: z.string(), tpsCount: z.number().int() });
export const RegionView = z.object({
  code: z.string(),
  level: RegionLevel,
  name: z.string(),
  parentCode: z.string().nullable(),
  children: z.array(RegionChild),
});
export type RegionView = z.infer<typeof RegionView>;

export const BALLOT_NAMES: Record<Ballot, string> = {
  PPWP: 'Presiden dan Wakil Presiden',
  DPR: 'DPR RI',
  DPD: 'DPD RI',
  DPRD_PROV: 'DPRD Provinsi',
  DPRD_KAB: 'DPRD Kabupaten/Kota',
};
