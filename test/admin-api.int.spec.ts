import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_DATA_FILES, SuaraClient, type MasterDataProblem } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually } from './support/http';
import { ROOT } from './support/server';

/** The shipped Labusel folder's files, as an admin screen uploads them (one part per file). */
function folderFiles(change: Partial<Record<string, (text: string) => string>> = {}) {
  const dir = join(ROOT, 'services/election-data/labusel-2024');
  return MASTER_DATA_FILES.map((name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    return { name, content: new Blob([change[name]?.(text) ?? text], { type: 'text/csv' }) };
  });
}

describe.each(backends())('admin routes the admin screens use, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp(backend);
  });
  afterAll(async () => t?.close());

  it('imports operators from CSV all or nothing: a wrong line is a 400 naming it, and nothing is created', async () => {
    const bad = await errorOf(t.admin.importUsers('username;desa_code;password\nop_satu;1222011001;\nop_dua;9999999999;\n'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_import');
    expect(bad.body.issues).toEqual([{ path: 'baris 3', message: expect.stringMatching(/desa_code 9999999999 tidak dikenal/) }]);
    expect((await t.admin.users()).map((u) => u.username)).not.toContain('op_satu');

    const { created } = await t.admin.importUsers('username,desa_code\nop_satu,1222011001\nop_dua,12.22.01.2002\n');
    expect(created.map((c) => [c.username, c.desaCode])).toEqual([['op_satu', '1222011001'], ['op_dua', '1222012002']]);
    const op = new SuaraClient(t.url);
    await op.login('op_dua', created[1].password);
    expect((await op.me()).scope).toEqual(['1222012002']);
    const [entry] = await t.admin.audit({ action: 'user_created', actor: 'admin', limit: 1 });
    expect(entry.detail).toMatchObject({ username: 'op_dua', via: 'import' });
  });

  it('refuses the import to anyone but an admin, and a body over the limit', async () => {
    const verifier = await t.userClient('verifier');
    expect((await errorOf(verifier.importUsers('username,desa_code\n'))).status).toBe(403);
    const huge = await errorOf(t.admin.importUsers('x'.repeat(70_000)));
    expect([400, 413]).toContain(huge.status);
  });

  it('filters the audit log by action, actor and target and pages back with before', async () => {
    await t.userClient('verifier', undefined, 'auditee-verifier');
    const id = (await t.admin.users()).find((u) => u.username === 'auditee-verifier')!.id;
    await t.admin.disableUser(id);
    await t.admin.enableUser(id);
    const byTarget = await t.admin.audit({ target: id });
    expect(byTarget.every((e) => e.target === id)).toBe(true);
    expect(byTarget.map((e) => e.action).filter((a) => a.startsWith('user_'))).toEqual(['user_enabled', 'user_disabled', 'user_created']);
    const page = await t.admin.audit({ target: id, limit: 1, before: byTarget[0].id });
    expect(page.map((e) => e.action)).toEqual(['user_disabled']);
    expect((await t.admin.audit({ action: 'login_ok', actor: 'AUDITEE-VERIFIER' })).every((e) => e.actorUsername === 'auditee-verifier')).toBe(true);
    const bad = await errorOf(t.admin.audit({ limit: 5000 }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues?.[0].path).toBe('limit');
  });

  it('loads master data as a new version for admins only, listing every bad line first', async () => {
    for (const role of ['operator', 'verifier'] as const) {
      const client = await t.userClient(role, role === 'operator' ? ['1222011001'] : undefined);
      expect((await errorOf(client.importMasterData(folderFiles()))).status).toBe(403);
    }
    const before = await t.admin.election();

    const bad = await errorOf(t.admin.importMasterData(folderFiles({
      'regions.csv': (text) => text.replace('12.22.01.1001,1222011001,kelurahan', '12.22.01.1001,1222011001,dusun'),
      'parties.csv': (text) => `${text.trimEnd()}\n99,Partai Tanpa Singkatan,\n`,
      'candidates.csv': (text) => text.replace('DPR,DPR-SUMUT-2,1,1,', 'DPR,DPR-SUMUT-9,1,1,'),
    })));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_master_data');
    const problems = bad.body.details?.problems as MasterDataProblem[];
    expect(problems).toEqual(expect.arrayContaining([
      { file: 'regions.csv', line: 5, field: 'level', message: expect.stringContaining('dusun') },
      { file: 'parties.csv', line: 20, field: 'short_name', message: 'wajib diisi' },
      { file: 'candidates.csv', line: 2, field: 'dapil_code', message: expect.stringContaining('DPR-SUMUT-9') },
    ]));
    expect(bad.body.issues?.[0]).toEqual({ path: expect.stringMatching(/^\S+\.csv:\d+/), message: expect.any(String) });
    expect((await t.admin.election()).masterDataVersion).toBe(before.masterDataVersion);

    const { status, body } = await t.admin.importMasterData(folderFiles({
      'dapils.csv': (text) => text.replace('"Labuhanbatu Selatan 01 — Kotapinang (contoh)"', '"Dapil Kotapinang (versi baru)"'),
    }));
    expect(status).toBe(201);
    expect(body).toMatchObject({ version: before.masterDataVersion! + 1, mode: 'simulation', counts: { regions: 61, tps: 1025, parties: 18, paslon: 3, dapils: 7 } });
    expect(body.activeElectionId).not.toBe(before.activeElectionId);
    const after = await t.admin.election();
    expect(after).toMatchObject({ masterDataVersion: body.version, activeElectionId: body.activeElectionId });
    expect(after.ballots.find((b) => b.ballot === 'DPRD_KAB')?.dapils?.[0].name).toBe('Dapil Kotapinang (versi baru)');
    const [entry] = await t.admin.audit({ action: 'master_data_imported', limit: 1 });
    expect(entry).toMatchObject({ actorUsername: 'admin', target: `v${body.version}`, detail: { activeElectionId: body.activeElectionId } });

    const tooMany = await errorOf(t.admin.importMasterData([...folderFiles(), { name: 'notes.txt', content: new Blob(['x']) }]));
    expect(tooMany.status).toBe(400);
    const tooBig = await errorOf(t.admin.importMasterData([{ name: 'tps.csv', content: new Blob(['x'.repeat(4 * 1024 * 1024 + 1)]) }]));
    expect(tooBig.status).toBe(413);
  });

  // Last in this file: the deployment stays real afterwards.
  it('in the real phase: allowed before the first result, then 409 naming the results', async () => {
    await t.admin.switchToReal();
    expect((await t.admin.importMasterData(folderFiles())).body.mode).toBe('real');
    const op = await t.userClient('operator', ['1222011001']);
    await op.submit({ tpsCode: '1222011001001', ballot: 'PPWP', clientRequestId: 'md-real-1', form: ppwpForm({ '01': 10, '02': 20, '03': 5 }) });
    await eventually('the real result in the tallies', async () => ((await t.admin.tally('1222', 'PPWP')).progress.tpsReported === 1 ? true : undefined));
    const refused = await errorOf(t.admin.importMasterData(folderFiles()));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'real_results', details: { results: 1 }, message: expect.stringContaining('1 hasil TPS') });
  });
});
