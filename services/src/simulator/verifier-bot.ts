import { BALLOTS, type Anomaly, type Ballot, type CHasilForm, type SuaraClient } from '@suara/contracts';
import { seededRandom, type SeededRandom } from '../quickcount/sample';
import { callWithRetry, describeError, sleep, StatusCounter } from './api-calls';
import { formatClock, type PlannedSubmission } from './election-day';
import { sameNumbers } from './tally-expectation';

/** A submission the server accepted, as the simulator knows it. */
export interface AcceptedResult {
  planned: PlannedSubmission;
  /** The form the operator sent (and the server accepted). */
  sent: CHasilForm;
  /** The form the server holds now (the true one after a correction). */
  form: CHasilForm;
  version: number;
  operator: string;
  flagged: boolean;
}

export const resultKey = (tpsCode: string, ballot: Ballot) => `${tpsCode}/${ballot}`;

export interface VerifierBotStats {
  verified: number;
  corrected: number;
  skipped: number;
  errors: number;
  http: Record<string, number>;
}

/**
 * A Kesbangpol verifier at work: flagged results first (from the submissions' flags and the
 * anomalies list), then the rest in arrival order. A result whose numbers match the C.Hasil photo
 * (the simulator's true form) is verified; one that does not is corrected to the photo's numbers,
 * with a reason and how the operator confirmed it.
 */
export class VerifierBot {
  readonly stats: VerifierBotStats = { verified: 0, corrected: 0, skipped: 0, errors: 0, http: {} };
  private readonly pending = new Map<string, AcceptedResult>();
  private readonly flagged = new Set<string>();
  private readonly counter = new StatusCounter();
  private readonly rng: SeededRandom;
  private lastAnomalyPoll = 0;
  private stopping = false;
  private readonly errorLines: string[] = [];

  constructor(
    private readonly client: SuaraClient,
    private readonly options: { seed: string; verifyShare: number; workers: number; ballots: readonly Ballot[]; clock: () => number; warn: (line: string) => void },
  ) {
    this.rng = seededRandom(`${options.seed}/verifier`);
    this.stats.http = this.counter.counts;
  }

  enqueue(result: AcceptedResult): void {
    const key = resultKey(result.planned.tpsCode, result.planned.ballot);
    this.pending.set(key, result);
    if (result.flagged) this.flagged.add(key);
  }

  get backlog(): number {
    return this.pending.size;
  }

  /** Works until `stop()` was called and nothing is left. */
  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.workers }, () => this.work()));
  }

  stop(): void {
    this.stopping = true;
  }

  get errors(): readonly string[] {
    return this.errorLines;
  }

  private async work(): Promise<void> {
    for (;;) {
      await this.pollAnomalies();
      const item = this.take();
      if (!item) {
        if (this.stopping) return;
        await sleep(100);
        continue;
      }
      await this.handle(item);
    }
  }

  private take(): AcceptedResult | undefined {
    for (const key of this.flagged) {
      const item = this.pending.get(key);
      this.flagged.delete(key);
      if (item) { this.pending.delete(key); item.flagged = true; return item; }
    }
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    this.pending.delete(first.value[0]);
    return first.value[1];
  }

  private async pollAnomalies(): Promise<void> {
    if (Date.now() - this.lastAnomalyPoll < 2_000) return;
    this.lastAnomalyPoll = Date.now();
    for (const ballot of this.options.ballots) {
      // As the dashboard does: a 429 (the verifier's read budget) waits for Retry-After, it is not an error.
      const answer = await callWithRetry(() => this.client.request<Anomaly[]>('GET', `/api/anomalies?ballot=${ballot}`), this.counter);
      if (!answer.ok) {
        this.error(`GET /api/anomalies?ballot=${ballot}: ${describeError(answer.error)}`);
        continue;
      }
      for (const a of answer.body) {
        if (a.status === 'submitted' && (BALLOTS as readonly string[]).includes(a.ballot)) this.flagged.add(resultKey(a.tpsCode, a.ballot));
      }
    }
  }

  private async handle(item: AcceptedResult): Promise<void> {
    const { planned } = item;
    const correct = !sameNumbers(item.form, planned.trueForm);
    if (!correct && !item.flagged && this.rng.float() >= this.options.verifyShare) { this.stats.skipped++; return; }
    let version = item.version;
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = correct
        ? await callWithRetry(() => this.client.request('POST', `/api/results/${planned.tpsCode}/${planned.ballot}/corrections`, {
          expectedVersion: version,
          form: planned.trueForm,
          reason: `Koreksi sesuai foto C.Hasil: ${planned.mistake?.description ?? 'angka tidak sesuai formulir'}`,
          operatorConfirmation: `Dikonfirmasi operator ${item.operator} via telepon pukul ${formatClock(this.options.clock())}`,
        }), this.counter)
        : await callWithRetry(() => this.client.request('POST', `/api/results/${planned.tpsCode}/${planned.ballot}/verify`, { expectedVersion: version }), this.counter);
      if (outcome.ok) {
        if (correct) { this.stats.corrected++; item.form = planned.trueForm; } else this.stats.verified++;
        return;
      }
      if (outcome.status === 409) {
        // the version moved (someone else, or a rerun): look again at what is there now
        const now = await callWithRetry(() => this.client.request<{ status: string; version: number }>('GET', `/api/results/${planned.tpsCode}/${planned.ballot}`), this.counter);
        if (!now.ok) break;
        if (now.body.status === 'verified' || now.body.status === 'corrected') { this.stats.skipped++; return; }
        version = now.body.version;
        continue;
      }
      this.error(`${correct ? 'correct' : 'verify'} ${planned.tpsCode} ${planned.ballot}: ${describeError(outcome.error)}`);
      return;
    }
    this.error(`${correct ? 'correct' : 'verify'} ${planned.tpsCode} ${planned.ballot}: version kept moving`);
  }

  private error(line: string): void {
    this.stats.errors++;
    if (this.errorLines.length < 20) { this.errorLines.push(line); this.options.warn(`verifier: ${line}`); }
  }
}
