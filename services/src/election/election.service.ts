import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  ancestorOf, BALLOT_NAMES, BALLOTS, isPartyBallot, type Ballot, type BallotSheet, type Dapil, type DapilSummary, type ElectionConfig, type ElectionView, type Region,
  type RegionView,
} from '@suara/contracts';
import { APP_CONFIG, type AppConfig } from '../config';
import { notFound } from '../http/api-error';
import { ElectionRepository, type Deployment } from './election.repository';
import { loadMasterData, type TpsRecord } from './master-data';
import { ballotSheet, ballotSheets, dapilIndexOf } from './ballot-sheets';

const DEPLOYMENT_TTL_MS = 1000;

/**
 * The current master-data version held in memory: regions, TPS and the ballots of every TPS. The
 * deployment (phase, active election id, master-data version) is read from the database (see
 * `deployment`); a new version loaded by an import replaces the one in memory before any command
 * reads the deployment that names it, so a submission is checked against its election id's version.
 */
@Injectable()
export class ElectionService implements OnModuleInit {
  private readonly log = new Logger('election');
  private config!: ElectionConfig;
  private loadedVersion?: number;
  private regionsByCode = new Map<string, Region>();
  private childrenByCode = new Map<string, Region[]>();
  private tpsByCode = new Map<string, TpsRecord>();
  private tpsByDesa = new Map<string, TpsRecord[]>();
  private tpsCountByRegion = new Map<string, number>();
  /** TPS of this deployment per dapil code (computed on first use). */
  private tpsCountByDapil?: Map<string, number>;
  private cachedDeployment?: { at: number; value: Promise<Deployment> };
  private readonly deploymentListeners = new Set<(deployment: Deployment) => void>();

  constructor(private readonly repo: ElectionRepository, @Inject(APP_CONFIG) private readonly appConfig: AppConfig) {}

  async onModuleInit() {
    if (!(await this.repo.loadedConfig())) {
      const data = loadMasterData(this.appConfig.electionDataDir);
      if (await this.repo.importOnce(data)) {
        this.log.log(`imported ${data.config.id}: ${data.regions.length} regions, ${data.tps.length} TPS`);
      }
    }
    await this.useVersion(await this.repo.deployment());
  }

  /**
   * Holds the deployment's master-data version in memory (loaded again when another version became
   * current, here or in another process: `deployment()` notices within a second).
   */
  async useVersion(deployment: Deployment): Promise<void> {
    if (this.loadedVersion === deployment.masterDataVersion) return;
    const data = await this.repo.version(deployment.masterDataVersion);
    if (!data) throw new Error(`master data version ${deployment.masterDataVersion} missing`);
    if (this.loadedVersion !== undefined) this.log.log(`master data version ${deployment.masterDataVersion} loaded (was ${this.loadedVersion})`);
    this.config = data.config;
    this.index(data.regions, data.tps);
    this.loadedVersion = deployment.masterDataVersion;
  }

  private index(regions: Region[], tps: TpsRecord[]) {
    this.regionsByCode = new Map();
    this.childrenByCode = new Map();
    this.tpsByCode = new Map();
    this.tpsByDesa = new Map();
    this.tpsCountByRegion = new Map();
    this.tpsCountByDapil = undefined;
    for (const r of regions) {
      this.regionsByCode.set(r.code, r);
      if (r.parentCode) push(this.childrenByCode, r.parentCode, r);
    }
    for (const t of tps) {
      this.tpsByCode.set(t.code, t);
      push(this.tpsByDesa, t.desaCode, t);
      for (const code of [t.desaCode, t.kecamatanCode, t.kabupatenCode, ancestorOf(t.kabupatenCode, 'provinsi')]) {
        this.tpsCountByRegion.set(code, (this.tpsCountByRegion.get(code) ?? 0) + 1);
      }
    }
  }

  get electionConfig(): ElectionConfig { return this.config; }
  /**
   * The phase and active election id, read at most once a second: every command needs it, and it
   * changes a few times in a deployment's life. A change made through this process is known at once;
   * other processes follow within a second (a submission in that second lands, whole, in the election
   * it was read for).
   */
  deployment(): Promise<Deployment> {
    const now = Date.now();
    if (!this.cachedDeployment || now - this.cachedDeployment.at > DEPLOYMENT_TTL_MS) {
      const value = this.repo.deployment().then(async (d) => {
        await this.useVersion(d);
        return d;
      });
      this.cachedDeployment = { at: now, value };
      value.catch(() => (this.cachedDeployment = undefined));
    }
    return this.cachedDeployment.value;
  }
  /** Called by whoever changed the phase in this process: tells the listeners at once. */
  async deploymentChanged(deployment: Deployment): Promise<void> {
    await this.useVersion(deployment);
    this.cachedDeployment = { at: Date.now(), value: Promise.resolve(deployment) };
    for (const listener of this.deploymentListeners) listener(deployment);
  }
  onDeploymentChange(listener: (deployment: Deployment) => void): void { this.deploymentListeners.add(listener); }
  async activeElectionId(): Promise<string> { return (await this.deployment()).activeElectionId; }

  async view(): Promise<ElectionView> {
    const d = await this.deployment();
    const c = this.config;
    return {
      id: c.id,
      activeElectionId: d.activeElectionId,
      name: c.name,
      mode: d.phase,
      masterDataVersion: d.masterDataVersion,
      kabupatenCode: c.kabupatenCode,
      ballots: BALLOTS.map((ballot) => ({
        ballot,
        name: BALLOT_NAMES[ballot],
        ...(ballot === 'PPWP' ? { paslon: c.paslon } : {}),
        ...(ballot === 'DPD' ? { candidates: c.dpd.candidates } : {}),
        ...(isPartyBallot(ballot) ? { parties: c.parties, dapils: c.dapils.filter((d2) => d2.ballot === ballot) } : {}),
      })),
    };
  }

  region(code: string): Region | undefined { return this.regionsByCode.get(code); }
  tps(code: string): TpsRecord | undefined { return this.tpsByCode.get(code); }
  tpsOfDesa(desaCode: string): TpsRecord[] { return this.tpsByDesa.get(desaCode) ?? []; }
  tpsCount(regionCode: string): number { return this.tpsByCode.has(regionCode) ? 1 : this.tpsCountByRegion.get(regionCode) ?? 0; }
  allTps(): TpsRecord[] { return [...this.tpsByCode.values()]; }
  children(code: string): Region[] { return this.childrenByCode.get(code) ?? []; }

  /**
   * Whether every TPS of a dapil is in this deployment: every region it lists is a region of the
   * deployment's kabupaten. Only then can its seats be projected from the votes here.
   */
  isWholeDapil(d: Dapil): boolean {
    return d.regionCodes.every((code) => code.startsWith(this.config.kabupatenCode) && this.regionsByCode.has(code));
  }

  /** `GET /api/dapil`: the dapils of a party-list ballot (all of them without `ballot`). */
  dapils(ballot?: Ballot): DapilSummary[] {
    return this.config.dapils
      .filter((d) => ballot === undefined || d.ballot === ballot)
      .map((d) => ({ code: d.code, name: d.name, ballot: d.ballot, seats: d.seats, regionCodes: d.regionCodes, whole: this.isWholeDapil(d), generated: d.generated }));
  }

  /** The dapil of that code and ballot, or `404`. */
  requireDapil(code: string, ballot: Ballot): Dapil {
    const dapil = this.config.dapils.find((d) => d.code === code && d.ballot === ballot);
    if (!dapil) throw notFound(`Dapil ${code} untuk ${ballot}`);
    return dapil;
  }

  /** How many TPS of this deployment vote in the dapil. */
  dapilTpsCount(ballot: Ballot, code: string): number {
    if (!this.tpsCountByDapil) {
      const counts = new Map<string, number>();
      const index = dapilIndexOf(this.config);
      const ballots = [...new Set(this.config.dapils.map((d) => d.ballot))];
      for (const t of this.tpsByCode.values()) {
        for (const b of ballots) {
          const key = `${b}|${index.dapilOf(b, t.code)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      this.tpsCountByDapil = counts;
    }
    return this.tpsCountByDapil.get(`${ballot}|${code}`) ?? 0;
  }

  /** `GET /api/regions/:code`: a region with its children; a desa's children are its TPS. */
  regionView(code: string): RegionView {
    const region = this.regionsByCode.get(code);
    if (!region) throw notFound(`Wilayah ${code}`);
    const tps = this.tpsOfDesa(code);
    const children = tps.length
      ? tps.map((t) => ({ code: t.code, level: 'tps' as const, name: t.name, tpsCount: 1 }))
      : this.children(code).map((c) => ({ code: c.code, level: c.level, name: c.name, tpsCount: this.tpsCount(c.code) }));
    return { ...region, children };
  }

  /** The TPS, or `404` when the master data has no such TPS. */
  requireTps(tpsCode: string): TpsRecord {
    const tps = this.tpsByCode.get(tpsCode);
    if (!tps) throw notFound(`TPS ${tpsCode}`);
    return tps;
  }

  sheets(tpsCode: string): BallotSheet[] {
    this.requireTps(tpsCode);
    return ballotSheets(this.config, tpsCode);
  }

  sheet(tpsCode: string, ballot: Ballot): BallotSheet {
    this.requireTps(tpsCode);
    const sheet = ballotSheet(this.config, ballot, tpsCode);
    if (!sheet) throw notFound(`Surat suara ${ballot} di TPS ${tpsCode}`);
    return sheet;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
