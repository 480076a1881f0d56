/** The timers a coalescer uses; injectable so specs drive time by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs `task` at most once per `intervalMs` however often it is triggered, never two at once, and
 * always once more after the last trigger (trailing edge), so the latest state is always sent.
 * A trigger while idle and past the interval runs at once (leading edge).
 */
export class Coalescer {
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private running = false;
  private pending = false;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
    private readonly clock: Clock = systemClock,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  trigger(): void {
    if (this.closed) return;
    this.pending = true;
    if (this.running || this.timer !== undefined) return;
    const wait = this.lastStart + this.intervalMs - this.clock.now();
    if (wait <= 0) void this.run();
    else this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  /** Drops any scheduled run. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    if (this.closed || !this.pending) return;
    this.pending = false;
    this.running = true;
    this.lastStart = this.clock.now();
    try {
      await this.task();
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = false;
    }
    if (this.pending) this.trigger();
  }
}
