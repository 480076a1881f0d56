import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../db/sql';
import { openTestPglite } from '../db/test-support/test-database';
import { electionMigrations } from '../election/election.migrations';
import { identityMigrations } from './identity.migrations';
import { importOperators, parseCsvWithLines } from './operators-import';
import { verifyPassword } from './password';
import { clearIdentity, DESA_A, DESA_B, seedRegions } from './test-support/identity-fixtures';
import { UserRepository } from './user.repository';

describe('parseCsvWithLines', () => {
  it('keeps the line each record starts on, drops blank and comment lines', () => {
    const text = 'username,desa_code\r\n\r\n# a comment\nop1,1222011001\n"op,2","12.22.01\n1002"\nop3,x';
    expect(parseCsvWithLines(text)).toEqual([
      { line: 1, cells: ['username', 'desa_code'] },
      { line: 4, cells: ['op1', '1222011001'] },
      { line: 5, cells: ['op,2', '12.22.01\n1002'] },
      { line: 7, cells: ['op3', 'x'] },
    ]);
  });

  it('says which line it cannot read (an unclosed quote)', () => {
    expect(() => parseCsvWithLines('username,desa_code\nop1,1222011001\nop2,"1222011001\n')).toThrow(
      expect.objectContaining({ line: 3, message: expect.stringMatching(/^CSV tidak dapat dibaca: .*quote/i) }),
    );
  });

  it('reads semicolon-separated files (Excel, Indonesian locale)', () => {
    expect(parseCsvWithLines('username;desa_code\nop1;1222011001\n')).toEqual([
      { line: 1, cells: ['username', 'desa_code'] },
      { line: 2, cells: ['op1', '1222011001'] },
    ]);
  });
});

describe('importOperators (PGlite)', () => {
  let db: SqlDatabase;
  let users: UserRepository;

  beforeAll(async () => {
    db = await openTestPglite({ migrations: [...electionMigrations, ...identityMigrations] });
    await seedRegions(db);
    users = new UserRepository(db);
  });
  afterAll(() => db.close());
  beforeEach(() => clearIdentity(db));

  const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0].n;

  it('creates one operator per line, scoped to its desa, with generated or given passwords', async () => {
    const csv = '\uFEFFusername,desa_code,password\nop.simatahari,1222011001,\nop_kotapinang,12.22.01.1002,KataSandi123\n';
    const result = await importOperators(db, csv, { defaultPasswordLength: 14, actor: { id: null, username: 'cli' } });
    expect(result.skipped).toEqual([]);
    expect(result.created.map(({ username, desaCode }) => ({ username, desaCode }))).toEqual([
      { username: 'op.simatahari', desaCode: DESA_A },
      { username: 'op_kotapinang', desaCode: DESA_B },
    ]);
    expect(result.created[0].password).toHaveLength(14);
    expect(result.created[1].password).toBe('KataSandi123');
    for (const op of result.created) {
      const stored = (await users.findByUsername(op.username))!;
      expect(stored).toMatchObject({ role: 'operator', scope: [op.desaCode], disabled: false });
      expect(await verifyPassword(op.password, stored.passwordHash)).toBe(true);
    }
    const { rows } = await db.query<{ action: string; actor_username: string }>('SELECT action, actor_username FROM audit_log');
    expect(rows).toEqual([
      { action: 'user_created', actor_username: 'cli' },
      { action: 'user_created', actor_username: 'cli' },
    ]);
  });

  it('accepts a two-column file and semicolons', async () => {
    const result = await importOperators(db, 'Username;Desa_Code\r\nop1;1222011001\r\nop2;1222011001\r\n');
    expect(result.skipped).toEqual([]);
    expect(result.created.map((c) => c.username)).toEqual(['op1', 'op2']);
    expect(result.created.every((c) => c.password.length === 12)).toBe(true);
  });

  it('all or nothing: one bad line and nothing is written; every bad line is reported', async () => {
    await importOperators(db, 'username,desa_code\nexisting,1222011001\n');
    const before = await count();
    const csv = [
      'username,desa_code,password',
      'op.ok,1222011001,',
      'op.unknown,1222019999,', // line 3: unknown desa
      'OP.OK,1222011002,', // line 4: duplicate in file (case-insensitive)
      'Existing,1222011002,', // line 5: already an account
      'bad name!,1222011001,', // line 6: bad characters
      'op.short,1222011001,1234', // line 7: password too short
      'op.kec,122201,', // line 8: not a desa code
      'op.cols,1222011001,pw-long-enough,extra', // line 9: too many columns
    ].join('\n');
    const result = await importOperators(db, csv);
    expect(result.created).toEqual([]);
    expect(result.skipped.map((s) => s.line)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(result.skipped[0].reason).toContain('1222019999');
    expect(result.skipped[1].reason).toContain('baris 2');
    expect(result.skipped[2].reason).toContain('sudah dipakai');
    expect(await count()).toBe(before);
    expect(await users.findByUsername('op.ok')).toBeNull();
  });

  it('refuses a file without the header', async () => {
    const result = await importOperators(db, 'op1,1222011001\n');
    expect(result).toEqual({ created: [], skipped: [{ line: 1, reason: expect.stringContaining('username,desa_code') }] });
    expect((await importOperators(db, '')).skipped[0].line).toBe(1);
    expect(await count()).toBe(0);
  });

  it('a file no reader can take creates nothing and names the line', async () => {
    const result = await importOperators(db, 'username,desa_code\nop1,1222011001\nop2,"1222011001\n');
    expect(result).toEqual({ created: [], skipped: [{ line: 3, reason: expect.stringContaining('CSV tidak dapat dibaca') }] });
    expect(await count()).toBe(0);
  });

  it('a header-only file creates nothing and reports nothing', async () => {
    expect(await importOperators(db, 'username,desa_code\n')).toEqual({ created: [], skipped: [] });
  });
});
