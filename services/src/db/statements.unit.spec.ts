import { describe, expect, it } from 'vitest';
import { combine } from './statements';

describe('combine (several statements as one)', () => {
  it('renumbers each statement’s parameters after the ones before it and keeps their order', () => {
    const { sql, params } = combine([
      { sql: 'INSERT INTO a (x, y) VALUES ($1, $2)', params: ['x', 'y'] },
      { sql: 'UPDATE b SET v = $2 WHERE k = $1', params: ['k', 'v'] },
      { sql: 'INSERT INTO c (z) SELECT unnest($1::text[]) WHERE $1 IS NOT NULL', params: [['z']] },
    ]);
    expect(params).toEqual(['x', 'y', 'k', 'v', ['z']]);
    expect(sql).toContain('s0 AS (INSERT INTO a (x, y) VALUES ($1, $2))');
    expect(sql).toContain('s1 AS (UPDATE b SET v = $4 WHERE k = $3)');
    expect(sql).toContain('s2 AS (INSERT INTO c (z) SELECT unnest($5::text[]) WHERE $5 IS NOT NULL)');
  });

  it('reads every SELECT clause, which PostgreSQL would otherwise not run', () => {
    const { sql } = combine([
      { sql: 'UPDATE b SET v = 1', params: [] },
      { sql: 'SELECT pg_notify($1, $2)', params: ['c', 'p'] },
    ]);
    expect(sql.trim().split('\n').at(-1)).toBe('SELECT (SELECT count(*) FROM s1) AS selected');
  });
});
