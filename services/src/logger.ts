import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { build as prettyStream } from 'pino-pretty';

export interface LoggerOptions {
  /** Human-readable lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go (default stdout); for tests. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logs (pino) for Nest and for our own code: JSON lines for machines (a pipe, a file, a
 * container's log driver), readable lines when a person watches the terminal. The readable stream
 * writes synchronously in this thread, so its lines keep their order with what is printed by
 * console (the first admin's password box stays where it was printed, among the logs).
 */
export function createLogger(level: string, options: LoggerOptions = {}): pino.Logger {
  const settings = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (!pretty) return options.destination ? pino(settings, options.destination) : pino(settings);
  return pino(
    settings,
    prettyStream({
      sync: true,
      colorize: options.destination ? false : undefined,
      destination: options.destination ?? 1,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    }),
  );
}

export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: pino.Logger) {}
  log(message: unknown, context?: string) { this.pino.info({ context }, String(message)); }
  error(message: unknown, trace?: string, context?: string) { this.pino.error({ context, trace }, String(message)); }
  warn(message: unknown, context?: string) { this.pino.warn({ context }, String(message)); }
  debug(message: unknown, context?: string) { this.pino.debug({ context }, String(message)); }
  verbose(message: unknown, context?: string) { this.pino.trace({ context }, String(message)); }
}

/**
 * A warning that can come hundreds of times a second (every request while the database is away in a
 * failover, every tally read while the replica is): one line when it starts, then at most one per
 * interval saying how many more there were, instead of a line each.
 */
export class RepeatedWarning {
  private last = -Infinity;
  private more = 0;

  constructor(private readonly write: (line: string) => void, private readonly intervalMs = 10_000, private readonly now: () => number = Date.now) {}

  warn(line: string): void {
    const now = this.now();
    if (now - this.last < this.intervalMs) {
      this.more++;
      return;
    }
    this.write(this.more > 0 ? `${line} (and ${this.more} more since the last such line)` : line);
    this.last = now;
    this.more = 0;
  }
}
