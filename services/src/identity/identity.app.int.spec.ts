import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiError as ClientError, SuaraClient } from '@suara/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app';
import { loadConfig } from '../config';

async function failure(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ClientError) return e;
    throw e;
  }
  throw new Error('expected an HTTP error');
}

describe('identity in the real application (PGlite, no SUARA_ADMIN_PASSWORD)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let dataDir: string;
  let printed: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'suara-identity-'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      app = await createApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }));
      await app.listen(0, '127.0.0.1');
      printed = warn.mock.calls.map((c) => String(c[0])).join('\n');
    } finally {
      warn.mockRestore();
    }
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the generated admin password once, and it logs in', async () => {
    const match = /username: (\S+)\n\s+password: (\S+)/.exec(printed);
    expect(match?.[1]).toBe('admin');
    const admin = new SuaraClient(url);
    const res = await admin.login('admin', match![2]);
    expect(res.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(await admin.me()).toEqual(res.user);
  });

  it('every protected route refuses a missing token with 401 unauthenticated; /health stays open', async () => {
    const anon = new SuaraClient(url);
    for (const call of [() => anon.me(), () => anon.users(), () => anon.election(), () => anon.audit()]) {
      const err = await failure(call());
      expect(err.status).toBe(401);
      expect(err.body.error).toBe('unauthenticated');
    }
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('admin manages an account through the typed client, and the audit log shows it', async () => {
    const password = /password: (\S+)/.exec(printed)![1];
    const admin = new SuaraClient(url);
    await admin.login('admin', password);
    const { id } = await admin.createUser({ username: 'official.app', password: 'official-pass-1', role: 'official' });
    const official = new SuaraClient(url);
    await official.login('official.app', 'official-pass-1');
    expect((await failure(official.users())).status).toBe(403);

    expect(await admin.disableUser(id)).toMatchObject({ id, disabled: true });
    expect((await failure(official.me())).status).toBe(401);
    await admin.enableUser(id);
    await admin.resetPassword(id, 'official-pass-2');
    await official.login('official.app', 'official-pass-2');
    await admin.revokeTokens(id);
    expect((await failure(official.me())).status).toBe(401);

    const users = await admin.users();
    expect(users.map((u) => u.username).sort()).toEqual(['admin', 'official.app']);
    const actions = (await admin.audit(20)).filter((e) => e.target === id).map((e) => e.action);
    expect(actions).toEqual(['tokens_revoked', 'login_ok', 'password_reset', 'user_enabled', 'user_disabled', 'login_ok', 'user_created']);
  });
});
