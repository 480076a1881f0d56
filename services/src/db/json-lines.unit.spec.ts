import { describe, expect, it } from 'vitest';
import { jsonLines } from './json-lines';

describe('jsonLines', () => {
  it('puts one JSON text per line, null as an empty line, and a newline inside a string stays escaped', () => {
    const texts = [JSON.stringify({ a: 1 }), null, JSON.stringify({ note: 'dua\nbaris' })];
    const lines = jsonLines(texts).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2])).toEqual({ note: 'dua\nbaris' });
    expect(lines[1]).toBe('');
  });
});
