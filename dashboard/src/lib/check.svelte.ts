import type { Ballot, CHasilForm, Flag, Issue } from '@suara/contracts';
import { ApiError, client } from './api';
import { sameAt } from './formdraft';

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
  /** The form the issues were found in. */
  private checked: CHasilForm | undefined;

  constructor(private readonly tpsCode: string, private readonly ballot: Ballot, private readonly delayMs = 400) {}

  /**
   * Checks `form` once the operator pauses. An answer to an earlier form that arrives meanwhile is
   * dropped: it would show problems of numbers no longer there and end "checking" too early.
   */
  schedule(form: CHasilForm): void {
    clearTimeout(this.timer);
    const id = ++this.seq;
    this.checking = true;
    this.timer = setTimeout(() => void this.run(form, id), this.delayMs);
  }

  private async run(form: CHasilForm, id: number): Promise<void> {
    try {
      const res = await client().validate(this.tpsCode, this.ballot, form);
      if (id !== this.seq) return;
      this.checked = form;
      this.issues = res.issues;
      this.warnings = res.warnings;
      this.canStoreAsWritten = res.canStoreAsWritten === true;
      this.unreachable = false;
    } catch (err) {
      if (id !== this.seq) return;
      if (err instanceof ApiError && err.status === 400) {
        this.checked = form;
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

  /**
   * The issues still about `form`: one whose field the operator changed since it was checked (a
   * "wajib diisi" on a box just filled) is left out until the next answer, which on a slow line can
   * take seconds.
   */
  issuesFor(form: CHasilForm): Issue[] {
    return this.issues.filter((i) => sameAt(this.checked, form, i.path));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.seq++;
  }
}
