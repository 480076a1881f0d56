import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient } from '@suara/contracts';
import { openPglite } from '../services/src/db/pglite.database';
import { eventually } from './support/http';
import { ROOT, startServer } from './support/server';
import { ppwpForm } from './support/app';

const run = promisify(execFile);
const CLI = join(ROOT, 'services/dist/cli.js');

/** Runs the operations CLI on the embedded database in `dataDir`; never throws on a non-zero exit. */
async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// Each CLI run opens the embedded database afresh (a few seconds each on a busy machine).
describe('operations CLI on the embedded database', { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'suara-cli-'));
  const csv = join(dataDir, 'operators.csv');

  beforeAll(async () => {
    // Some results first, through the real server; then the server stops (PGlite is one process).
    const server = await startServer({ dataDir });
    try {
      const admin = new SuaraClient(server.url);
      await admin.login(server.adminUser, server.adminPassword);
      await admin.createUser({ username: 'op-seed', password: 'Uji-Sandi-seed-2024', role: 'operator', scope: ['1222011001'] });
      const op = new SuaraClient(server.url);
      await op.login('op-seed', 'Uji-Sandi-seed-2024');
      for (let i = 1; i <= 3; i++) {
        await op.submit({ tpsCode: `1222011001${String(i).padStart(3, '0')}`, ballot: 'PPWP', clientRequestId: `cli-seed-${i}`, form: ppwpForm({ '01': i, '02': 10, '03': 5 }) });
      }
      // The CLI tests below are about these results: they must be in the tallies before the server stops.
      await eventually('the three seed results in the tallies', async () => ((await admin.tally('1222', 'PPWP')).progress.tpsReported === 3 ? true : undefined), 60_000);
    } finally {
      await server.stop();
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('imports operators from a CSV, all or nothing', async () => {
    writeFileSync(csv, 'username,desa_code\nop.kotapinang,1222011001\nop.bogus,9999999999\n');
    const refused = await cli(dataDir, 'users', 'import', csv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/line 3/);
    writeFileSync(csv, 'username,desa_code,password\nop.kotapinang,1222011001,\nop.simatahari,12.22.01.2002,\nop.formula,1222011001,=Merah-Putih-2024!x\n');
    const ok = await cli(dataDir, 'users', 'import', csv);
    expect(ok.code, ok.stderr).toBe(0);
    const lines = ok.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('username,desa_code,password');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual(['op.formula', 'op.kotapinang', 'op.simatahari']);
    // A spreadsheet would run "=…" as a formula: the printed cell is neutralised (CSV injection).
    expect(lines).toContain("op.formula,1222011001,'=Merah-Putih-2024!x");

    // The printed passwords work, and the scope is the desa.
    const server = await startServer({ dataDir });
    try {
      const [, desa, password] = lines.find((l) => l.startsWith('op.simatahari'))!.split(',');
      const op = new SuaraClient(server.url);
      const { user } = await op.login('op.simatahari', password);
      expect(user).toMatchObject({ role: 'operator', scope: [desa] });
      // op.bogus was refused with its whole file: it never existed.
      await expect(new SuaraClient(server.url).login('op.bogus', 'x'.repeat(12))).rejects.toMatchObject({ status: 401 });
    } finally {
      await server.stop();
    }
  });

  it('checks tallies against the events, finds a tampered tally, and rebuilds it', async () => {
    expect((await cli(dataDir, 'check')).code).toBe(0);
    const db = await openPglite(join(dataDir, 'pglite'));
    await db.query(`UPDATE region_tallies SET valid = valid + 7 WHERE region_code = '1222' AND ballot = 'PPWP'`);
    await db.close();
    const broken = await cli(dataDir, 'check');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/1222/);
    expect((await cli(dataDir, 'rebuild')).code).toBe(0);
    expect((await cli(dataDir, 'check')).code).toBe(0);
  });

  it('loads a master-data folder as a new version, after listing every bad line of a broken one', async () => {
    const folder = join(dataDir, 'master-data');
    cpSync(join(ROOT, 'services/election-data/labusel-2024'), folder, { recursive: true });
    const tps = join(folder, 'tps.csv');
    const good = readFileSync(tps, 'utf8');
    writeFileSync(tps, good.replace('1222011001002,12.22.01.1001,2,', '1222011001002,12.22.01.1001,0,').replace('1222011001003,12.22.01.1001', '1222011001003,12.22.01.9999'));
    const refused = await cli(dataDir, 'election', 'import', folder);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^tps\.csv:3 tps_no: .*$/m);
    expect(refused.stderr).toMatch(/^tps\.csv:4 desa_code: desa 1222019999 tidak ada di regions\.csv$/m);
    expect(refused.stderr).toMatch(/2 problem\(s\) in .*; nothing loaded/);

    writeFileSync(tps, good);
    const loaded = await cli(dataDir, 'election', 'import', folder);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toMatch(/master data version 2 loaded from .*: 61 regions, 1025 TPS, 18 parties, 3 paslon, 7 dapils, \d+ candidates; phase simulation, active election labusel-2024-sim2/);
    const db = await openPglite(join(dataDir, 'pglite'));
    try {
      const { rows } = await db.query<{ action: string; target: string; actor_username: string }>(`SELECT action, target, actor_username FROM audit_log WHERE action = 'master_data_imported'`);
      expect(rows).toEqual([{ action: 'master_data_imported', target: 'v2', actor_username: expect.stringMatching(/^cli:/) }]);
    } finally {
      await db.close();
    }
    // The simulation's earlier run keeps its results and tallies: the check still holds.
    expect((await cli(dataDir, 'check')).code).toBe(0);
  });

  it('walks the hash chains and exits non-zero when an event was altered', async () => {
    const intact = await cli(dataDir, 'verify-chain');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/3 events/);
    const db = await openPglite(join(dataDir, 'pglite'));
    const edit = `UPDATE messages SET data = jsonb_set(data, '{form,votes,01}', '99') WHERE stream_position = 1 AND stream_id LIKE '%1222011001002-PPWP'`;
    // The append-only guard refuses the edit; whoever owns the table can switch it off.
    await expect(db.query(edit)).rejects.toThrow(/UPDATE on messages refused: the event log is append-only/);
    await db.exec('SET session_replication_role = replica');
    await db.query(edit);
    await db.close();
    const altered = await cli(dataDir, 'verify-chain');
    expect(altered.code).toBe(1);
    expect(altered.stdout).toMatch(/altered\s+result-.*1222011001002-PPWP/);
  });

  it('prints its usage for an unknown command', async () => {
    const res = await cli(dataDir, 'nonsense');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/users import/);
  });
});
