import { randomBytes } from 'node:crypto';
import { kecamatanOf, ApiError, SuaraClient, type ApiResponse, type Ballot, type ElectionView, type RegionView, type TallyView, type Totals } from '@suara/contracts';
import { seededRandom } from '../quickcount/sample';
import { clientRequestId, operatorAccounts, pickTps, runTag, VERIFIER_USERNAME, type OperatorAccount } from './accounts';
import { callWithRetry, describeError, fetchWithTimeout, mapLimit, sleep, StatusCounter } from './api-calls';
import type { SimulatorOptions } from './cli-options';
import { EVENING_SECONDS, formatClock, planElectionDay, type PlannedSubmission, type TpsInfo } from './election-day';
import { compareTotals, dapilOfTps, dapilTotalsAsVotes, expectedRegionTotals, expectedSeats, expectedTotals } from './tally-expectation';
import { resultKey, VerifierBot, type AcceptedResult } from './verifier-bot';
import { renderSheetPhoto, sheetLines } from './sheet-photo';

export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  progress(line: string): void;
}

export interface QuickCountCheck {
  ballot: Ballot;
  received: number;
  preliminary?: boolean;
  estimates: { option: string; share: number; lower: number; upper: number; trueShare: number; covered: boolean }[];
  /** The calls made (PPWP), on the evening's clock (when the deciding sample TPS was played), and whether the full count agrees. */
  calls?: { kind: 'majority' | 'lead'; option: string; clock: string; received: number; right: boolean }[];
}

/** What `npm run simulate` prints at the end (and, with --json, as one JSON line). */
export interface SimulationSummary {
  url: string;
  seed: string;
  mode: string;
  tps: number;
  operators: number;
  ballots: Ballot[];
  planned: number;
  /** Every answer of `POST /api/results`, retries included, by status ("network" = no answer). */
  http: Record<string, number>;
  submitted: number;
  accepted: number;
  /** Accepted results that carried flags. */
  flagged: number;
  conflicts: number;
  failed: number;
  retries: number;
  fixedAfterRejection: number;
  mistakes: { planned: number; rejectedAsExpected: number; flaggedAsExpected: number; acceptedWithoutFlag: number; acceptedButMustBeRejected: number };
  cleanRejected: number;
  /** Papers whose own sums are wrong, sent as written after the 400; entries by a verifier for an unreachable operator. */
  realForm: { paperSlips: number; storedAsWritten: number; onBehalfPlanned: number; onBehalfStored: number };
  verifier?: { verified: number; corrected: number; skipped: number; errors: number; http: Record<string, number> };
  /** Photos of C.Hasil sheets sent (`--photos`), and how many before the numbers. */
  photos: { tps: number; attached: number; beforeNumbers: number; failed: number; tpsWithPhoto?: { expected: number; actual: number | null } };
  /** Each ballot's kabupaten tally and its kecamatan, against the sums of what was accepted (`expected`: the kabupaten's). */
  tallies: { ballot: Ballot; ok: boolean; skipped?: string; diffs: string[]; expected: Totals }[];
  /**
   * Each dapil of the party-list ballots played that received results: its tally against the sums of
   * what was accepted there, and, for a dapil wholly in the deployment, the seat projection against
   * Sainte-Laguë over those sums (`seats`: what it must show; absent for a dapil that is not whole).
   */
  dapils: { ballot: Ballot; dapil: string; tps: number; ok: boolean; skipped?: string; diffs: string[]; seats?: Array<{ party: string; seats: number }> }[];
  quickCount?: QuickCountCheck | { error: string };
  elapsedSeconds: number;
  /** Why the run counts as failed (exit code 1); empty when the server behaved. */
  problems: string[];
}

interface Task { planned: PlannedSubmission; fix: boolean; offset: number; asWritten?: boolean }

interface Operator { account: OperatorAccount; client: SuaraClient }

/** Plays election day against a running server through its public API. */
export async function playElectionDay(options: SimulatorOptions, reporter: Reporter): Promise<SimulationSummary> {
  return new ElectionDayPlayer(options, reporter).run();
}

class ElectionDayPlayer {
  private readonly seed: string;
  private readonly tag: string;
  private readonly fetchImpl: typeof fetch;
  private readonly admin: SuaraClient;
  private readonly submitCounter = new StatusCounter();
  private readonly operators = new Map<string, Operator>();
  private readonly accepted = new Map<string, AcceptedResult>();
  /** Every TPS code of the kabupaten (which dapils a region's TPS vote in). */
  private allTpsCodes: string[] = [];
  private readonly problems: string[] = [];
  private readonly queue: Task[] = [];
  private bot?: VerifierBot;
  /** The verifier who enters forms for unreachable operators (`--on-behalf`). */
  private verifierClient?: SuaraClient;
  private realFormStats = { storedAsWritten: 0, onBehalfStored: 0 };
  private startedAt = 0;
  private latestOffset = 0;
  private inFlight = 0;
  private stats = {
    submitted: 0, conflicts: 0, failed: 0, retries: 0, fixedAfterRejection: 0, cleanRejected: 0,
    rejectedAsExpected: 0, acceptedButMustBeRejected: 0,
  };
  /** TPS whose operator photographs the sheets (`--photos`), and what came of it. */
  private photoTps = new Set<string>();
  private photoStats = { attached: 0, beforeNumbers: 0, failed: 0 };
  /** Result keys whose photo was attached. */
  private photographed = new Set<string>();
  private warnings = 0;

  constructor(private readonly options: SimulatorOptions, private readonly reporter: Reporter) {
    this.seed = options.seed ?? randomBytes(6).toString('hex');
    this.tag = runTag(this.seed);
    this.fetchImpl = fetchWithTimeout(options.timeoutMs);
    this.admin = new SuaraClient(options.url, undefined, this.fetchImpl);
  }

  async run(): Promise<SimulationSummary> {
    const t0 = Date.now();
    const { election, kabupatenCode } = await this.connect();
    const all = await this.findTps(kabupatenCode);
    this.allTpsCodes = all.map((t) => t.code);
    // the sample is drawn before anything arrives (the server refuses later), and a quick run plays its TPS
    const sample = this.options.drawSample ? await this.drawSample(this.options.drawSample) : undefined;
    const tps = await this.loadBallots(pickTps(all, this.options.tpsLimit, sample?.tpsCodes ?? []));
    const accounts = operatorAccounts(tps, this.options.tpsPerOperator);
    await this.createAccounts(accounts);
    const day = planElectionDay(tps, {
      seed: this.seed, mistakeShare: this.options.mistakes, ballots: this.options.ballots,
      asWrittenShare: this.options.asWritten, onBehalfShare: this.options.onBehalf,
    });
    const photoRng = seededRandom(`${this.seed}/photos`);
    for (const t of tps) if (photoRng.float() < this.options.photos) this.photoTps.add(t.code);
    const mistakes = day.submissions.filter((s) => s.mistake);
    this.reporter.info(`Playing ${day.submissions.length} C.Hasil of ${tps.length} TPS (${mistakes.length} with a mistake), ` +
      `${this.speedText()}, seed ${this.seed}`);
    for (const s of day.submissions) this.queue.push({ planned: s, fix: false, offset: s.offsetSeconds });

    const botRun = this.bot?.run();
    const progress = this.options.quiet ? undefined : setInterval(() => this.reporter.progress(this.progressLine()), 2_000);
    try {
      await this.play();
    } finally {
      if (this.bot) {
        this.reporter.info(`Evening done; the verifier works through ${this.bot.backlog} results left…`);
        this.bot.stop();
        await botRun;
      }
      if (progress) clearInterval(progress);
    }
    this.reporter.progress(this.progressLine());
    await this.checkLateFlags();
    const tallies = await this.checkTallies(kabupatenCode, election);
    const dapils = await this.checkDapils(election);
    const photoProgress = this.photoTps.size > 0 ? await this.checkPhotoProgress(kabupatenCode) : undefined;
    const quickCount = sample ? await this.checkQuickCount(sample.ballot, day.submissions) : undefined;
    return { ...this.summary(election, tps.length, accounts.length, day.submissions, tallies, quickCount, (Date.now() - t0) / 1000, photoProgress), dapils };
  }

  // ------------------------------------------------------------ setup

  private async connect(): Promise<{ election: ElectionView; kabupatenCode: string }> {
    const { adminUser, adminPassword } = this.options;
    if (!adminUser || !adminPassword) throw new Error('admin credentials needed: --admin-user/--admin-password or SUARA_ADMIN_USER/SUARA_ADMIN_PASSWORD');
    await this.must('admin login', () => this.admin.login(adminUser, adminPassword));
    const election = await this.must('GET /api/election', () => this.admin.election());
    if (election.mode === 'real' && !this.options.allowReal) {
      throw new Error('the server is in the REAL election: the simulator would submit made-up results. Refusing (see --allow-real).');
    }
    this.reporter.info(`Connected to ${this.options.url}: ${election.name} (${election.mode === 'real' ? 'REAL ELECTION' : 'simulasi'})`);
    if (this.options.reset) {
      await this.must('simulation reset', () => this.admin.resetSimulation());
      this.reporter.info('Simulation reset: results and tallies wiped.');
    }
    return { election, kabupatenCode: election.kabupatenCode };
  }

  /** Walks the region tree from the kabupaten down to its TPS. */
  private async findTps(kabupatenCode: string): Promise<Omit<TpsInfo, 'ballots'>[]> {
    const found: Omit<TpsInfo, 'ballots'>[] = [];
    let level: string[] = [kabupatenCode];
    while (level.length > 0) {
      const views = await mapLimit(level, this.options.concurrency, (code) => this.must(`GET /api/regions/${code}`, () => this.admin.region(code)));
      level = [];
      for (const view of views as RegionView[]) {
        const tps = view.children.filter((c) => c.level === 'tps');
        const place = { kelurahan: view.level === 'kelurahan', desaTps: tps.length };
        for (const t of tps) found.push({ code: t.code, desaCode: view.code, place });
        for (const child of view.children) if (child.level !== 'tps') level.push(child.code);
      }
    }
    found.sort((a, b) => (a.code < b.code ? -1 : 1));
    this.reporter.info(`Found ${found.length} TPS.`);
    return found;
  }

  private async loadBallots(chosen: Omit<TpsInfo, 'ballots'>[]): Promise<TpsInfo[]> {
    this.reporter.info(`Playing ${chosen.length} TPS; fetching their ballots…`);
    return mapLimit(chosen, this.options.concurrency, async (t) => ({
      ...t,
      ballots: await this.must(`GET /api/tps/${t.code}/ballots`, () => this.admin.tpsBallots(t.code)),
    }));
  }

  private async createAccounts(accounts: OperatorAccount[]): Promise<void> {
    const password = this.options.operatorPassword;
    const create = async (username: string, role: 'operator' | 'verifier', scope?: string[]) => {
      const outcome = await callWithRetry(() => this.admin.request('POST', '/api/admin/users', { username, password, role, ...(scope ? { scope } : {}) }));
      if (!outcome.ok && outcome.status !== 409) throw new Error(`creating ${username}: ${describeError(outcome.error)}`);
    };
    const login = async (username: string) => {
      const client = new SuaraClient(this.options.url, undefined, this.fetchImpl);
      try {
        await this.must(`login ${username}`, () => client.login(username, password));
      } catch (e) {
        throw new Error(`${(e as Error).message} — the account exists with another password? pass --operator-password`);
      }
      return client;
    };
    await mapLimit(accounts, this.options.concurrency, (a) => create(a.username, 'operator', [a.desaCode]));
    const clients = await mapLimit(accounts, this.options.concurrency, (a) => login(a.username));
    accounts.forEach((account, i) => { for (const code of account.tpsCodes) this.operators.set(code, { account, client: clients[i] }); });
    this.reporter.info(`${accounts.length} operator accounts ready (sim-op-<desa>-<k>, password from --operator-password).`);
    if (this.options.verifierBot || this.options.onBehalf > 0) {
      await create(VERIFIER_USERNAME, 'verifier');
      this.verifierClient = await login(VERIFIER_USERNAME);
    }
    if (this.options.verifierBot) {
      this.bot = new VerifierBot(this.verifierClient!, {
        seed: this.seed,
        verifyShare: this.options.verifyShare,
        workers: Math.max(1, Math.floor(this.options.concurrency / 4)),
        ballots: this.options.ballots,
        clock: () => this.clock(),
        warn: (line) => this.warn(line),
      });
      this.reporter.info(`Verifier bot on as ${VERIFIER_USERNAME}.`);
    }
  }

  private async drawSample(size: number): Promise<{ ballot: Ballot; tpsCodes: string[] }> {
    const ballot: Ballot = this.options.ballots.includes('PPWP') ? 'PPWP' : this.options.ballots[0];
    try {
      const sample = await this.must('draw sample', () => this.admin.drawSample({ ballot, size, seed: `sim-${this.tag}` }));
      this.reporter.info(`Quick count sample drawn for ${ballot}: ${sample.size} TPS, seed ${sample.seed}.`);
      return { ballot, tpsCodes: sample.tpsCodes };
    } catch (e) {
      this.warn(`quick count sample not drawn: ${(e as Error).message}`);
      return { ballot, tpsCodes: [] };
    }
  }

  // ------------------------------------------------------------ the evening

  private async play(): Promise<void> {
    this.startedAt = Date.now();
    const running = new Set<Promise<void>>();
    for (;;) {
      const next = this.queue[0];
      if (!next) {
        if (running.size === 0) break;
        await Promise.race(running);
        continue;
      }
      const dueInMs = (next.offset / this.options.speed) * 1000 - (Date.now() - this.startedAt);
      if (dueInMs > 0) { await sleep(Math.min(dueInMs, 250)); continue; }
      if (running.size >= this.options.concurrency) { await Promise.race(running); continue; }
      this.queue.shift();
      this.latestOffset = Math.max(this.latestOffset, next.offset);
      const task = this.submit(next).finally(() => running.delete(task));
      running.add(task);
    }
  }

  private async submit(task: Task): Promise<void> {
    const { planned } = task;
    const operator = this.operators.get(planned.tpsCode)!;
    const typed = task.fix ? planned.trueForm : planned.form;
    const form = task.asWritten ? { ...typed, asWritten: true } : typed;
    // An unreachable operator's forms are entered by the verifier, who says why.
    const sender = planned.onBehalf && this.verifierClient ? this.verifierClient : operator.client;
    const body = {
      tpsCode: planned.tpsCode, ballot: planned.ballot, clientRequestId: clientRequestId(this.tag, planned.tpsCode, planned.ballot, task.fix), form,
      ...(sender === operator.client ? {} : { onBehalf: { reason: planned.onBehalf! } }),
    };
    const photo = this.photoPlan(planned);
    if (photo === 'before' && !task.fix) await this.attachPhoto(operator, planned, true);
    this.inFlight++;
    const outcome = await callWithRetry(() => sender.submit(body), this.submitCounter);
    this.inFlight--;
    this.stats.submitted++;
    this.stats.retries += outcome.attempts - 1;
    const what = `${planned.tpsCode} ${planned.ballot}`;
    const mistake = task.fix ? undefined : planned.mistake;
    if (outcome.ok) {
      if (task.fix) this.stats.fixedAfterRejection++;
      if (mistake?.expect === 'rejected') {
        this.problem(`accepted a form the server must reject (${mistake.kind}: ${mistake.description}) at ${what}`);
      }
      const flags = outcome.body.flags ?? (mistake ? await this.flagsOf(operator, planned) : []);
      this.checkRealFormFlags(planned, task, flags as { code: string }[], sender !== operator.client);
      if (photo === 'after') await this.attachPhoto(operator, planned, false);
      const result: AcceptedResult = { planned, sent: form, form, version: outcome.body.version, operator: operator.account.username, flagged: flags.length > 0 };
      this.accepted.set(resultKey(planned.tpsCode, planned.ballot), result);
      this.bot?.enqueue(result);
      return;
    }
    if (outcome.status === 400) {
      if (planned.paperSlip && !task.asWritten && !task.fix) {
        // The operator reads the problems, looks at the paper: it does say so. Sent again, as written.
        const details = outcome.error instanceof ApiError ? outcome.error.body.details : undefined;
        if (details?.canStoreAsWritten === true) await this.submit({ ...task, asWritten: true });
        else this.problem(`a paper slip (${planned.paperSlip}) at ${what} was refused without offering to store it as written: ${describeError(outcome.error)}`);
        return;
      }
      if (mistake) {
        if (mistake.expect === 'rejected') this.stats.rejectedAsExpected++;
        else this.problem(`rejected a form the server should accept and flag (${mistake.kind}) at ${what}: ${describeError(outcome.error)}`);
        this.scheduleFix(task);
      } else {
        this.stats.cleanRejected++;
        this.problem(`rejected a correct form at ${what}: ${describeError(outcome.error)}`);
      }
      return;
    }
    if (outcome.status === 409) {
      this.stats.conflicts++;
      if (this.stats.conflicts <= 5) this.warn(`409 at ${what}: ${describeError(outcome.error)} (results from an earlier run? use --reset)`);
      return;
    }
    this.stats.failed++;
    this.problem(`gave up on ${what} after ${outcome.attempts} attempt(s): ${describeError(outcome.error)}`);
  }

  /** Whether this result gets a photo, and when: operators often photograph the sheet before typing it. */
  private photoPlan(planned: PlannedSubmission): 'before' | 'after' | undefined {
    if (!this.photoTps.has(planned.tpsCode)) return undefined;
    return seededRandom(`${this.seed}/photo/${planned.tpsCode}/${planned.ballot}`).float() < 0.5 ? 'before' : 'after';
  }

  /** A generated photo of the paper sheet (its true numbers), sent as the operator's phone would. */
  private async attachPhoto(operator: Operator, planned: PlannedSubmission, beforeNumbers: boolean): Promise<void> {
    const f = planned.trueForm;
    const jpeg = await renderSheetPhoto({
      title: `C.HASIL ${planned.ballot}`, lines: sheetLines(planned.tpsCode, planned.ballot, f.votes as Record<string, unknown>, f.valid, f.invalid), width: 600, quality: 70,
    });
    const outcome = await callWithRetry(() => operator.client.uploadPhoto(planned.tpsCode, planned.ballot, new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), { page: 1 }));
    if (outcome.ok) {
      this.photoStats.attached++;
      if (beforeNumbers) this.photoStats.beforeNumbers++;
      this.photographed.add(resultKey(planned.tpsCode, planned.ballot));
    } else {
      this.photoStats.failed++;
      this.problem(`photo of ${planned.tpsCode} ${planned.ballot} not attached: ${describeError(outcome.error)}`);
    }
  }

  /** tpsWithPhoto of the kabupaten: photographed TPS whose every accepted ballot got its photo. */
  private async checkPhotoProgress(kabupatenCode: string): Promise<{ expected: number; actual: number | null }> {
    const accepted = [...this.accepted.values()];
    const expected = [...this.photoTps].filter((tps) => {
      const mine = accepted.filter((r) => r.planned.tpsCode === tps);
      return mine.length > 0 && mine.every((r) => this.photographed.has(resultKey(tps, r.planned.ballot)));
    }).length;
    let actual: number | null = null;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        actual = (await this.admin.tally(kabupatenCode, this.options.ballots[0])).progress.tpsWithPhoto ?? null;
      } catch (e) {
        this.warn(`tally for photo progress: ${describeError(e)}`);
      }
      if (actual === expected || this.stats.conflicts > 0) break;
      await sleep(500);
    }
    if (actual !== expected && this.stats.conflicts === 0) this.problem(`TPS with photo in the ${kabupatenCode} tally: expected ${expected}, got ${actual}`);
    return { expected, actual };
  }

  /** A paper sent as written carries `inconsistent_as_written`; an entry on behalf carries `entered_by_verifier`. */
  private checkRealFormFlags(planned: PlannedSubmission, task: Task, flags: { code: string }[], onBehalf: boolean): void {
    const what = `${planned.tpsCode} ${planned.ballot}`;
    if (task.asWritten) {
      if (flags.some((f) => f.code === 'inconsistent_as_written')) this.realFormStats.storedAsWritten++;
      else this.problem(`a paper sent as written at ${what} was stored without the inconsistent_as_written flag`);
    }
    if (onBehalf) {
      if (flags.some((f) => f.code === 'entered_by_verifier')) this.realFormStats.onBehalfStored++;
      else this.problem(`an entry on behalf of the operator at ${what} was stored without the entered_by_verifier flag`);
    }
  }

  /** The operator reads the 400's issues, checks the paper form again and sends the right numbers a few minutes later. */
  private scheduleFix(task: Task): void {
    const rng = seededRandom(`${this.seed}/fix/${task.planned.tpsCode}/${task.planned.ballot}`);
    const offset = Math.max(task.offset, this.clock()) + 120 + rng.int(480);
    const fix: Task = { planned: task.planned, fix: true, offset };
    const at = this.queue.findIndex((t) => t.offset > offset);
    this.queue.splice(at < 0 ? this.queue.length : at, 0, fix);
  }

  private async flagsOf(operator: Operator, planned: PlannedSubmission): Promise<unknown[]> {
    const view = await callWithRetry(() => operator.client.request<{ flags?: unknown[] }>('GET', `/api/results/${planned.tpsCode}/${planned.ballot}`));
    return view.ok ? view.body.flags ?? [] : [];
  }

  /** Mistakes the server accepted without flags in its answer may be flagged later (anomalies); look once more. */
  private async checkLateFlags(): Promise<void> {
    for (const ballot of this.options.ballots) {
      try {
        for (const a of await this.admin.anomalies(ballot)) {
          const r = this.accepted.get(resultKey(a.tpsCode, a.ballot));
          if (r && a.flags.length > 0) r.flagged = true;
        }
      } catch (e) {
        this.warn(`GET /api/anomalies?ballot=${ballot}: ${describeError(e)}`);
      }
    }
  }

  // ------------------------------------------------------------ checks

  private async checkTallies(kabupatenCode: string, election: ElectionView): Promise<SimulationSummary['tallies']> {
    const out: SimulationSummary['tallies'] = [];
    for (const ballot of this.options.ballots) {
      const accepted = [...this.accepted.values()].filter((r) => r.planned.ballot === ballot);
      // A region whose TPS vote in several dapils of this ballot shows party totals by dapil, never candidate sums.
      const areas = election.ballots.find((b) => b.ballot === ballot)?.dapils;
      const spans = (code: string) => !!areas && new Set(this.allTpsCodes.filter((t) => t.startsWith(code)).map((t) => dapilOfTps(areas, t))).size > 1;
      const expectedAt = (code: string, results: AcceptedResult[]) =>
        expectedRegionTotals(ballot, results.map((r) => ({ tpsCode: r.planned.tpsCode, form: r.form })), spans(code) ? areas : undefined);
      const expected = expectedAt(kabupatenCode, accepted);
      if (this.stats.conflicts > 0) {
        // Results this run did not send are in: no sum of ours can be checked against the tally.
        const skipped = 'results from an earlier run are in (409s); run with --reset';
        this.problem(`tally of ${kabupatenCode} ${ballot} not checked: ${skipped}`);
        out.push({ ballot, ok: false, skipped, diffs: [], expected });
        continue;
      }
      const kecamatan = (r: AcceptedResult) => kecamatanOf(r.planned.tpsCode);
      const expectedOf = (code: string) => expectedAt(code, accepted.filter((r) => kecamatan(r) === code));
      let diffs: string[] = ['no answer'];
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          const tally: TallyView = await this.admin.tally(kabupatenCode, ballot);
          diffs = compareTotals(expected, tally.totals);
          if (tally.progress.tpsReported !== accepted.length) diffs.unshift(`TPS reported: expected ${accepted.length}, got ${tally.progress.tpsReported}`);
          for (const child of tally.children) diffs.push(...compareTotals(expectedOf(child.code), child.totals).map((d) => `${child.code} ${d}`));
          const known = new Set(tally.children.map((c) => c.code));
          for (const code of new Set(accepted.map(kecamatan))) if (!known.has(code)) diffs.push(`kecamatan ${code} missing from the tally`);
        } catch (e) {
          diffs = [describeError(e)];
        }
        if (diffs.length === 0) break;
        await sleep(500);
      }
      if (diffs.length > 0) this.problem(`tally of ${kabupatenCode} ${ballot} does not add up after 30 s: ${diffs.slice(0, 5).join('; ')}`);
      out.push({ ballot, ok: diffs.length === 0, diffs, expected });
    }
    return out;
  }

  /** Every dapil of the played party-list ballots with results: party, candidate and seat numbers against our own sums. */
  private async checkDapils(election: ElectionView): Promise<SimulationSummary['dapils']> {
    const out: SimulationSummary['dapils'] = [];
    for (const ballot of this.options.ballots) {
      const areas = election.ballots.find((b) => b.ballot === ballot)?.dapils;
      if (!areas?.length) continue;
      const accepted = [...this.accepted.values()].filter((r) => r.planned.ballot === ballot);
      const byDapil = new Map<string, AcceptedResult[]>();
      for (const r of accepted) {
        const code = dapilOfTps(areas, r.planned.tpsCode);
        if (code === undefined) { this.problem(`TPS ${r.planned.tpsCode} is in no ${ballot} dapil of the election`); continue; }
        byDapil.set(code, [...(byDapil.get(code) ?? []), r]);
      }
      for (const [dapil, results] of [...byDapil].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const expected = expectedTotals(ballot, results.map((r) => r.form));
        if (this.stats.conflicts > 0) {
          const skipped = 'results from an earlier run are in (409s); run with --reset';
          out.push({ ballot, dapil, tps: results.length, ok: false, skipped, diffs: [] });
          continue;
        }
        const parties = Object.fromEntries(Object.entries(expected.votes).filter(([k]) => !k.includes('.')));
        let seats: Array<{ party: string; seats: number }> | undefined;
        let diffs: string[] = ['no answer'];
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          try {
            const tally = await this.admin.dapilTally(dapil, ballot);
            diffs = compareTotals(expected, { votes: dapilTotalsAsVotes(tally.totals.parties), valid: tally.totals.valid, invalid: tally.totals.invalid });
            if (tally.progress.tpsReported !== results.length) diffs.unshift(`TPS reported: expected ${results.length}, got ${tally.progress.tpsReported}`);
            seats = tally.dapil.whole ? expectedSeats(parties, tally.dapil.seats) : undefined;
            const shown = (tally.seats ?? []).map((s) => ({ party: s.party, seats: s.seats }));
            if (JSON.stringify(shown) !== JSON.stringify(seats ?? [])) diffs.push(`seats: expected ${JSON.stringify(seats ?? [])}, got ${JSON.stringify(shown)}`);
            for (const s of tally.seats ?? []) if (s.votes !== parties[s.party]) diffs.push(`seat votes of party ${s.party}: expected ${parties[s.party]}, got ${s.votes}`);
          } catch (e) {
            diffs = [describeError(e)];
          }
          if (diffs.length === 0) break;
          await sleep(500);
        }
        if (diffs.length > 0) this.problem(`dapil ${dapil} ${ballot} does not add up after 30 s: ${diffs.slice(0, 5).join('; ')}`);
        out.push({ ballot, dapil, tps: results.length, ok: diffs.length === 0, diffs, ...(seats ? { seats } : {}) });
      }
    }
    return out;
  }

  private async checkQuickCount(ballot: Ballot, planned: readonly PlannedSubmission[]): Promise<QuickCountCheck | { error: string }> {
    const truth = expectedTotals(ballot, planned.filter((p) => p.ballot === ballot).map((p) => p.trueForm));
    const trueShare = (option: string) => (truth.votes[option] ?? 0) / truth.valid;
    try {
      const qc = await this.admin.quickcount(ballot);
      // the n-th sample TPS in, on the evening's clock: the server's times run at the simulator's speed
      const sample = new Set(qc.sample.tpsCodes);
      const arrivals = planned.filter((p) => p.ballot === ballot && sample.has(p.tpsCode)).map((p) => p.offsetSeconds).sort((a, b) => a - b);
      const leader = Object.keys(truth.votes).reduce((a, b) => (trueShare(a) >= trueShare(b) ? a : b), '');
      return {
        ballot,
        received: qc.sample.received,
        preliminary: qc.preliminary,
        estimates: qc.estimates.map((e) => ({
          option: e.option, share: e.share, lower: e.lower, upper: e.upper, trueShare: trueShare(e.option), covered: e.lower <= trueShare(e.option) && trueShare(e.option) <= e.upper,
        })),
        calls: qc.calls?.map((c) => ({
          kind: c.kind, option: c.option, received: c.received, clock: formatClock(arrivals[c.received - 1] ?? EVENING_SECONDS),
          right: c.kind === 'majority' ? trueShare(c.option) > 0.5 : c.option === leader,
        })),
      };
    } catch (e) {
      return { error: describeError(e) };
    }
  }

  // ------------------------------------------------------------ reporting

  private summary(election: ElectionView, tps: number, operators: number, planned: readonly PlannedSubmission[], tallies: SimulationSummary['tallies'],
    quickCount: SimulationSummary['quickCount'], elapsedSeconds: number, photoProgress?: { expected: number; actual: number | null }): Omit<SimulationSummary, 'dapils'> {
    const accepted = [...this.accepted.values()];
    const flaggedMistakes = planned.filter((p) => p.mistake?.expect === 'flagged');
    const flaggedAsExpected = flaggedMistakes.filter((p) => this.accepted.get(resultKey(p.tpsCode, p.ballot))?.flagged).length;
    const acceptedWithoutFlag = flaggedMistakes.filter((p) => {
      const r = this.accepted.get(resultKey(p.tpsCode, p.ballot));
      return r && !r.flagged && r.sent === p.form;
    }).length;
    if (acceptedWithoutFlag > 0) this.warn(`${acceptedWithoutFlag} mistaken form(s) (votes over DPT / over 300) were accepted without a flag`);
    const botErrors = this.bot?.stats.errors ?? 0;
    if (botErrors > 0) this.problem(`the verifier bot met ${botErrors} error(s): ${this.bot!.errors.slice(0, 3).join('; ')}`);
    return {
      url: this.options.url,
      seed: this.seed,
      mode: election.mode,
      tps,
      operators,
      ballots: this.options.ballots,
      planned: planned.length,
      http: this.submitCounter.counts,
      submitted: this.stats.submitted,
      accepted: accepted.length,
      flagged: accepted.filter((r) => r.flagged).length,
      conflicts: this.stats.conflicts,
      failed: this.stats.failed,
      retries: this.stats.retries,
      fixedAfterRejection: this.stats.fixedAfterRejection,
      mistakes: {
        planned: planned.filter((p) => p.mistake).length,
        rejectedAsExpected: this.stats.rejectedAsExpected,
        flaggedAsExpected,
        acceptedWithoutFlag,
        acceptedButMustBeRejected: this.stats.acceptedButMustBeRejected,
      },
      cleanRejected: this.stats.cleanRejected,
      realForm: {
        paperSlips: planned.filter((p) => p.paperSlip).length,
        storedAsWritten: this.realFormStats.storedAsWritten,
        onBehalfPlanned: planned.filter((p) => p.onBehalf).length,
        onBehalfStored: this.realFormStats.onBehalfStored,
      },
      verifier: this.bot ? { ...this.bot.stats } : undefined,
      photos: { tps: this.photoTps.size, ...this.photoStats, ...(photoProgress ? { tpsWithPhoto: photoProgress } : {}) },
      tallies,
      quickCount,
      elapsedSeconds,
      problems: this.problems,
    };
  }

  private progressLine(): string {
    const c = this.submitCounter.counts;
    const n = (k: string) => c[k] ?? 0;
    const fiveXX = Object.entries(c).filter(([k]) => k.startsWith('5')).reduce((a, [, v]) => a + v, 0);
    const bot = this.bot ? ` · verified ${this.bot.stats.verified} · corrected ${this.bot.stats.corrected} · to check ${this.bot.backlog}` : '';
    const clock = this.clock();
    const waiting = this.queue.filter((t) => t.offset <= clock).length;
    return `[${formatClock(Math.min(clock, EVENING_SECONDS))}] sent ${this.stats.submitted}${waiting > 0 ? ` (${waiting} due, waiting for the server)` : ''} · 201 ${n('201')} · 200 ${n('200')} · 400 ${n('400')} · 409 ${n('409')} · ` +
      `429 ${n('429')} · 5xx ${fiveXX} · net ${n('network')} · flagged ${[...this.accepted.values()].filter((r) => r.flagged).length}${bot} · in flight ${this.inFlight}`;
  }

  /** Simulated seconds since poll close. */
  private clock(): number {
    if (!Number.isFinite(this.options.speed) || this.startedAt === 0) return this.latestOffset;
    return ((Date.now() - this.startedAt) / 1000) * this.options.speed;
  }

  private speedText(): string {
    return Number.isFinite(this.options.speed)
      ? `13:00–19:00 in ~${Math.round(EVENING_SECONDS / this.options.speed)} s (speed ${this.options.speed})`
      : 'as fast as possible';
  }

  private problem(line: string): void {
    if (line.startsWith('accepted a form the server must reject')) this.stats.acceptedButMustBeRejected++;
    this.problems.push(line);
    if (this.problems.length <= 20) this.reporter.warn(`PROBLEM: ${line}`);
  }

  private warn(line: string): void {
    this.warnings++;
    if (this.warnings <= 50) this.reporter.warn(line);
  }

  /** Calls the API with retries on network errors, 5xx and 429; throws with a readable message otherwise. */
  private async must<T>(what: string, call: () => Promise<T>): Promise<T> {
    const outcome = await callWithRetry<T>(async (): Promise<ApiResponse<T>> => ({ status: 200, body: await call() }));
    if (outcome.ok) return outcome.body;
    throw new Error(`${what}: ${outcome.error instanceof ApiError || outcome.error instanceof Error ? describeError(outcome.error) : String(outcome.error)}`);
  }
}

/** Human-readable summary block. */
export function formatSummary(s: SimulationSummary): string[] {
  const lines = [
    '',
    `Election day played against ${s.url} (${s.mode}), seed ${s.seed}, in ${s.elapsedSeconds.toFixed(1)} s`,
    `  TPS ${s.tps}, operators ${s.operators}, ballots ${s.ballots.join(',')}`,
    `  submissions: ${s.submitted} sent for ${s.planned} C.Hasil · accepted ${s.accepted} · flagged ${s.flagged} · 409 ${s.conflicts} · failed ${s.failed} · retries ${s.retries}`,
    `  answers of POST /api/results: ${Object.entries(s.http).sort().map(([k, v]) => `${k} ${v}`).join(' · ')}`,
    `  mistakes: ${s.mistakes.planned} made · ${s.mistakes.rejectedAsExpected} rejected (then ${s.fixedAfterRejection} resent right) · ` +
      `${s.mistakes.flaggedAsExpected} accepted and flagged · ${s.mistakes.acceptedWithoutFlag} accepted unflagged · ${s.mistakes.acceptedButMustBeRejected} accepted though invalid`,
  ];
  lines.push(`  real form: ${s.realForm.paperSlips} papers that do not add up · ${s.realForm.storedAsWritten} stored as written · ` +
    `${s.realForm.onBehalfStored} of ${s.realForm.onBehalfPlanned} entered by the verifier for an unreachable operator`);
  if (s.verifier) {
    lines.push(`  verifier: ${s.verifier.verified} verified · ${s.verifier.corrected} corrected · ${s.verifier.skipped} skipped · ${s.verifier.errors} errors`);
  }
  if (s.photos.tps > 0) {
    const progress = s.photos.tpsWithPhoto ? ` · TPS with photo in the tally ${s.photos.tpsWithPhoto.actual ?? '—'} (expected ${s.photos.tpsWithPhoto.expected})` : '';
    lines.push(`  photos: ${s.photos.attached} attached at ${s.photos.tps} TPS (${s.photos.beforeNumbers} before the numbers) · ${s.photos.failed} failed${progress}`);
  }
  for (const t of s.tallies) lines.push(`  tally ${t.ballot}: ${t.skipped ? `skipped (${t.skipped})` : t.ok ? 'adds up' : `DOES NOT ADD UP: ${t.diffs.slice(0, 3).join('; ')}`}`);
  for (const d of s.dapils) {
    const seats = d.seats ? ` · seats ${d.seats.map((x) => `${x.party}:${x.seats}`).join(' ') || 'none'} as projected` : ' · no seat projection (dapil not whole here)';
    lines.push(`  dapil ${d.ballot} ${d.dapil} (${d.tps} TPS): ${d.skipped ? `skipped (${d.skipped})` : d.ok ? `adds up${seats}` : `DOES NOT ADD UP: ${d.diffs.slice(0, 3).join('; ')}`}`);
  }
  if (s.quickCount && 'error' in s.quickCount) lines.push(`  quick count: ${s.quickCount.error}`);
  else if (s.quickCount) {
    lines.push(`  quick count ${s.quickCount.ballot} (${s.quickCount.received} sample TPS in${s.quickCount.preliminary ? ', preliminary' : ''}):`);
    for (const e of s.quickCount.estimates) {
      const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
      lines.push(`    ${e.option}: ${pct(e.share)} [${pct(e.lower)} – ${pct(e.upper)}], full count ${pct(e.trueShare)}${e.covered ? '' : '  (outside the interval)'}`);
    }
    for (const c of s.quickCount.calls ?? []) {
      lines.push(`    call: ${c.option} ${c.kind === 'majority' ? 'above 50%' : 'ahead'} at 99% since ${c.clock} (${c.received} sample TPS in)${c.right ? '' : '  — WRONG by the full count'}`);
    }
    if (s.quickCount.calls?.length === 0) lines.push('    no call: the leader is not yet above 50% or ahead at 99%');
  }
  lines.push(s.problems.length === 0 ? '  the server behaved.' : `  ${s.problems.length} PROBLEM(S) — first: ${s.problems[0]}`);
  return lines;
}
