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
