import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig: READ_DATABASE_URL', () => {
  it('is a replica of DATABASE_URL: refused alone (the embedded database has none), taken with it', () => {
    expect(() => loadConfig({ READ_DATABASE_URL: 'postgres://h2/suara' })).toThrow(/READ_DATABASE_URL.*DATABASE_URL/);
    const config = loadConfig({ DATABASE_URL: 'postgres://h1/suara', READ_DATABASE_URL: 'postgres://h2/suara' });
    expect(config.readDatabaseUrl).toBe('postgres://h2/suara');
    expect(loadConfig({ DATABASE_URL: 'postgres://h1/suara' }).readDatabaseUrl).toBeUndefined();
  });
});
