import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, PinoNestLogger, RepeatedWarning } from './logger';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes one JSON object per line when nobody watches a terminal', () => {
    const out = collector();
    new PinoNestLogger(createLogger('info', { pretty: false, destination: out.stream })).log('projecting tallies from 0', 'projector');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, context: 'projector', msg: 'projecting tallies from 0', pid: process.pid });
  });

  it('writes readable lines for a terminal, at once and in order', () => {
    const out = collector();
    const logger = new PinoNestLogger(createLogger('info', { pretty: true, destination: out.stream }));
    logger.log('projecting tallies from 0', 'projector');
    logger.warn('slow batch');
    // Synchronous: already written when the call returns, so console output printed next stays after it.
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[projector\] projecting tallies from 0$/);
    expect(lines[1]).toMatch(/WARN: slow batch$/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it('chooses by whether stdout is a terminal when not told', () => {
    const isTTY = process.stdout.isTTY;
    const streamOf = (logger: pino.Logger) => (logger as unknown as Record<symbol, { constructor: { name: string } }>)[pino.symbols.streamSym]!;
    try {
      process.stdout.isTTY = false;
      expect(streamOf(createLogger('info')).constructor.name).toBe('SonicBoom');
      process.stdout.isTTY = true;
      expect(streamOf(createLogger('info')).constructor.name).not.toBe('SonicBoom');
    } finally {
      process.stdout.isTTY = isTTY;
    }
  });
});

describe('RepeatedWarning (503s while the database is away)', () => {
  it('writes the first line at once, then one per interval that counts the ones held back', () => {
    let t = 0;
    const lines: string[] = [];
    const w = new RepeatedWarning((l) => lines.push(l), 10_000, () => t);
    w.warn('database unavailable: a');
    for (t = 1; t < 10_000; t += 1000) w.warn('database unavailable: b');
    expect(lines).toEqual(['database unavailable: a']);
    t = 10_000;
    w.warn('database unavailable: c');
    expect(lines).toEqual(['database unavailable: a', 'database unavailable: c (and 10 more since the last such line)']);
    t = 30_000;
    w.warn('database unavailable: d');
    expect(lines.at(-1)).toBe('database unavailable: d');
  });
});
