import { Injectable } from '@nestjs/common';
import { isTpsCode, flattenVotes, sortFlags, type Anomaly, type Ballot, type Progress, type RegionLevel, type TallyView } from '@suara/contracts';
import { ElectionService } from '../election/election.service';
import { notFound } from '../http/api-error';
import { TalliesRepository, type RegionNumbers, type TallySnapshot } from './tallies.repository';

const EMPTY: RegionNumbers = { totals: { votes: {}, valid: 0, invalid: 0 }, tpsReported: 0, tpsVerified: 0, updatedAt: null };

interface Node {
  code: string;
  level: RegionLevel;
  name: string;
}

/** Default and largest page of the flagged list. */
export const ANOMALIES_DEFAULT_LIMIT = 1000;
export const ANOMALIES_MAX_LIMIT = 10_000;

/**
 * The query side of the tallies: region structure and TPS counts from the master data (held by the
 * election context), numbers from the read models. Tallies always belong to one election id.
 */
@Injectable()
export class TalliesService {
  constructor(
    private readonly election: ElectionService,
    private readonly repo: TalliesRepository,
  ) {}

  /** The election id results are tallied under now (simulation run or the real election). */
  activeElectionId(): Promise<string> {
    return this.election.activeElectionId();
  }

  /** Whether a region or TPS code exists in the master data. */
  exists(code: string): boolean {
    return isTpsCode(code) ? this.election.tps(code) !== undefined : this.election.region(code) !== undefined;
  }

  /**
   * `GET /api/tallies/:regionCode`: the region's totals and progress with its children's (a desa's
   * children are its TPS, with their result status). Throws 404 for an unknown code. `atLeast`: the
   * position of the change a live push announces (the view must include it).
   */
  async getTally(electionId: string, regionCode: string, ballot: Ballot, atLeast?: string): Promise<TallyView> {
    const region = this.node(regionCode);
    const children = this.childrenOf(region);
    const tps = [region, ...children].filter((n) => n.level === 'tps').map((n) => n.code);
    const regions = [region, ...children].filter((n) => n.level !== 'tps').map((n) => n.code);
    const snapshot = await this.repo.snapshot(electionId, ballot, regions, tps, atLeast);
    const own = numbersOf(region, ballot, snapshot);
    return {
      region,
      ballot,
      electionId,
      totals: own.totals,
      progress: this.progress(region.code, own, snapshot),
      children: children.map((c) => this.child(c, ballot, snapshot)),
      position: snapshot.position,
      updatedAt: own.updatedAt,
    };
  }

  async listAnomalies(electionId: string, ballot: Ballot | undefined, limit = ANOMALIES_DEFAULT_LIMIT): Promise<Anomaly[]> {
    const rows = await this.repo.anomalies(electionId, ballot, Math.min(Math.max(1, limit), ANOMALIES_MAX_LIMIT));
    return rows.map((a) => ({ ...a, flags: sortFlags(a.flags) }));
  }

  private node(code: string): Node {
    if (isTpsCode(code)) {
      const tps = this.election.tps(code);
      if (!tps) throw notFound(`TPS ${code}`);
      return { code, level: 'tps', name: tps.name };
    }
    const region = this.election.region(code);
    if (!region) throw notFound(`Wilayah ${code}`);
    return { code, level: region.level, name: region.name };
  }

  private childrenOf(region: Node): Node[] {
    if (region.level === 'tps') return [];
    const tps = this.election.tpsOfDesa(region.code);
    if (tps.length > 0) return tps.map((t) => ({ code: t.code, level: 'tps', name: t.name }));
    return this.election.children(region.code).map((c) => ({ code: c.code, level: c.level, name: c.name }));
  }

  private progress(code: string, numbers: RegionNumbers, snapshot: TallySnapshot): Progress {
    return {
      tpsTotal: this.election.tpsCount(code),
      tpsReported: numbers.tpsReported,
      tpsVerified: numbers.tpsVerified,
      tpsWithPhoto: snapshot.withPhoto.get(code) ?? 0,
    };
  }

  private child(node: Node, ballot: Ballot, snapshot: TallySnapshot): TallyView['children'][number] {
    const numbers = numbersOf(node, ballot, snapshot);
    const child = { ...node, totals: numbers.totals, progress: this.progress(node.code, numbers, snapshot) };
    return node.level === 'tps' ? { ...child, status: snapshot.results.get(node.code)?.status ?? 'empty' } : child;
  }
}

/** A region's stored numbers; a TPS's come from its current result's form. */
function numbersOf(node: Node, ballot: Ballot, snapshot: TallySnapshot): RegionNumbers {
  if (node.level !== 'tps') return snapshot.numbers.get(node.code) ?? EMPTY;
  const result = snapshot.results.get(node.code);
  if (!result?.form || result.status === 'empty') return EMPTY;
  return {
    totals: { votes: flattenVotes(ballot, result.form), valid: result.form.valid, invalid: result.form.invalid },
    tpsReported: 1,
    tpsVerified: result.status === 'verified' ? 1 : 0,
    updatedAt: result.updatedAt,
  };
}
