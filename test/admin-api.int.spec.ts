import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient } from '@suara/contracts';
import { backends, bootApp, type TestApp } from './support/app';
import { errorOf } from './support/http';

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
});
