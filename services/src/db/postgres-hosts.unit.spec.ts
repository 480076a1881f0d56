import { describe, expect, it } from 'vitest';
import { findHost, parsePostgresHosts, redactUrl, withDatabase } from './postgres-hosts';

describe('parsePostgresHosts', () => {
  it('splits a multi-host URL into one URL per host, keeping credentials, database and other options', () => {
    expect(parsePostgresHosts('postgres://u:p@h1:5432,h2:5433,h3/suara?target_session_attrs=read-write&sslmode=disable')).toEqual({
      urls: ['postgres://u:p@h1:5432/suara?sslmode=disable', 'postgres://u:p@h2:5433/suara?sslmode=disable', 'postgres://u:p@h3/suara?sslmode=disable'],
      target: 'read-write',
    });
  });

  it('reads several hosts as read-write, one host without options as any (a plain pool)', () => {
    expect(parsePostgresHosts('postgresql://h1,h2/db').target).toBe('read-write');
    expect(parsePostgresHosts('postgres://u@h1:5432/db')).toEqual({ urls: ['postgres://u@h1:5432/db'], target: 'any' });
    expect(parsePostgresHosts('postgres:///db?host=/var/run/postgresql')).toEqual({ urls: ['postgres:///db?host=/var/run/postgresql'], target: 'any' });
    expect(parsePostgresHosts('postgres://h1/db?target_session_attrs=primary').target).toBe('read-write');
    expect(parsePostgresHosts('postgres://h1,h2/db?target_session_attrs=any').target).toBe('any');
    expect(parsePostgresHosts('postgres://h1,h2/db?target_session_attrs=prefer-standby').target).toBe('prefer-standby');
  });

  it('refuses what it cannot honour, naming it', () => {
    expect(() => parsePostgresHosts('postgres://h1,h2/db?target_session_attrs=standby')).toThrow(/target_session_attrs=standby/);
    expect(() => parsePostgresHosts('postgres://h1,,h2/db')).toThrow(/empty host/);
    expect(() => parsePostgresHosts('mysql://h1/db')).toThrow(/DATABASE_URL/);
  });

  it('points every host at another database, keeping the options', () => {
    expect(withDatabase('postgres://u:p@h1:1,h2:2/postgres?target_session_attrs=read-write', 'bench_x')).toBe('postgres://u:p@h1:1,h2:2/bench_x?target_session_attrs=read-write');
    expect(withDatabase('postgres://u@h1', 'b')).toBe('postgres://u@h1/b');
  });

  it('hides the password in logs', () => {
    expect(redactUrl('postgres://u:secret@h1:5432/db')).toBe('postgres://u:***@h1:5432/db');
  });
});

describe('findHost', () => {
  it('answers a connection-class error (a 503, not a 500) naming each host when none is reachable', async () => {
    const err = await findHost(parsePostgresHosts('postgres://u:pw@127.0.0.1:1,127.0.0.1:2/db')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '08001' });
    expect(String(err)).toMatch(/127\.0\.0\.1:1\/db: .*ECONNREFUSED.*127\.0\.0\.1:2\/db/);
    expect(String(err)).not.toMatch(/pw/);
  });
});
