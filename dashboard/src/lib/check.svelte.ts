import type { Ballot, CHasilForm, Flag, Issue } from '@suara/contracts';
import { ApiError, client } from './api';

/** Live checking of a form against the dry-run route (`POST /api/results/validate`), debounced. */
export class LiveCheck {
  issues = $state<Issue[]>([]);
  warnings = $state<Flag[]>([]);
  checking = $state(false);
  /** Every issue is arithmetic: the operator may confirm the paper says so and send it as written. */
  canStoreAsWritten = $state(false);
  /** The last check could not reach the server; only local checks apply until it can. */
  unreachable = $state(false);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;

  constructor(private readonly tpsCode: string, private readonly ballot: Ballot, private readonly delayMs = 400) {}

  schedule(form: CHasilForm): void {
    clearTimeout(this.timer);
    this.checking = true;
    this.timer = setTimeout(() => void this.run(form), this.delayMs);
  }

  async run(form: CHasilForm): Promise<void> {
    const id = ++this.seq;
    this.checking = true;
    try {
      const res = await client().validate(this.tpsCode, this.ballot, form);
      if (id !== this.seq) return;
      this.issues = res.issues;
      this.warnings = res.warnings;
      this.canStoreAsWritten = res.canStoreAsWritten === true;
      this.unreachable = false;
    } catch (err) {
      if (id !== this.seq) return;
      if (err instanceof ApiError && err.status === 400) {
        this.issues = err.body.issues ?? [{ path: '', message: err.body.message }];
        this.canStoreAsWritten = false;
        this.unreachable = false;
      } else {
        this.unreachable = true;
      }
    } finally {
      if (id === this.seq) this.checking = false;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.seq++;
  }
}
