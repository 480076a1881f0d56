import { describe, expect, it } from 'vitest';
import { RepeatedWarning } from './error.filter';

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
