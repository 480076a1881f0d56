import 'reflect-metadata';
import { Controller, Get, Global, Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CONFIG, type AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import { openTestPglite } from '../db/test-support/test-database';
import { SQL_DATABASE } from '../db/tokens';
import { electionMigrations } from '../election/election.migrations';
import { ApiErrorFilter } from '../http/error.filter';
import { CurrentUser, Public, Roles, type AuthUser } from './auth.decorators';
import { identityMigrations } from './identity.migrations';
import { LimitsModule } from '../limits/limits.module';
import { IdentityModule } from './identity.module';
import { DESA_A, seedRegions } from './test-support/identity-fixtures';

@Controller('probe')
class ProbeController {
  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }

  @Get('any')
  any(@CurrentUser() user: AuthUser) {
    return user;
  }

  @Roles('verifier', 'admin')
  @Get('verifiers')
  verifiers() {
    return { ok: true };
  }
}

const config = {
  tokenTtlSeconds: 3600, tokenMaxLifetimeSeconds: 86_400, tokenSecret: 'identity-http-spec-secret-0123456789abcdef', dataDir: '/nonexistent',
  adminUser: 'root', adminPassword: 'root-password-1', readRatePerMinute: 10_000, validateRatePerMinute: 10_000, submitRatePerMinute: 10_000, photoRatePerMinute: 10_000,
} as AppConfig;

describe('identity over HTTP (IdentityModule in a Fastify Nest app, PGlite)', () => {
  let db: SqlDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await openTestPglite({ migrations: [...electionMigrations, ...identityMigrations] });
    await seedRegions(db);
    @Global()
    @Module({ providers: [{ provide: SQL_DATABASE, useValue: db }, { provide: APP_CONFIG, useValue: config }], exports: [SQL_DATABASE, APP_CONFIG] })
    class TestInfraModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestInfraModule, LimitsModule, IdentityModule], controllers: [ProbeController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new ApiErrorFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const call = (method: 'GET' | 'POST', url: string, opts: { token?: string; body?: unknown; ip?: string } = {}) =>
    app.inject({
      method,
      url,
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
      ...(opts.ip ? { remoteAddress: opts.ip } : {}),
    });

  async function login(username: string, password: string): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password } });
    expect(res.statusCode).toBe(200);
    return res.json().token;
  }

  it('the first admin exists after start-up and logs in with 200 {token, expiresAt, user}', async () => {
    const res = await call('POST', '/api/auth/login', { body: { username: 'root', password: 'root-password-1' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token: expect.any(String), expiresAt: expect.any(String), user: { username: 'root', role: 'admin', scope: [] } });
    const me = await call('GET', '/api/me', { token: body.token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body.user);
  });

  it('401 unauthenticated, with one message, without a token or with a bad one', async () => {
    const answers = await Promise.all([
      call('GET', '/api/me'),
      call('GET', '/api/me', { token: 'not.a.token' }),
      app.inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Basic cm9vdDpyb290' } }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(answers[0].json());
    }
    expect(answers[0].json().error).toBe('unauthenticated');
    expect((await call('GET', '/probe/open')).statusCode).toBe(200);
  });

  it('400 invalid_input for malformed login bodies, 401 invalid_credentials for wrong ones', async () => {
    for (const body of [{}, { username: 'root' }, { username: 1, password: 2 }, { username: 'root', password: 'x', extra: true }]) {
      const res = await call('POST', '/api/auth/login', { body });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_input', issues: expect.any(Array) });
    }
    const res = await call('POST', '/api/auth/login', { body: { username: 'ghost', password: 'ghost-password' }, ip: '192.0.2.50' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_credentials');
  });

  it('admin creates users (201 {id}); roles are enforced with 403; operators see only their scope', async () => {
    const adminToken = await login('root', 'root-password-1');
    const created = await call('POST', '/api/admin/users', {
      token: adminToken,
      body: { username: 'op.http', password: 'op-password-1', role: 'operator', scope: ['12.22.01.1001'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ id: expect.any(String) });
    const dup = await call('POST', '/api/admin/users', { token: adminToken, body: { username: 'OP.HTTP', password: 'op-password-1', role: 'verifier' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toBe('username_taken');
    const unknown = await call('POST', '/api/admin/users', {
      token: adminToken,
      body: { username: 'op.nowhere', password: 'op-password-1', role: 'operator', scope: ['1222019999'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('1222019999');

    const opToken = await login('op.http', 'op-password-1');
    const me = (await call('GET', '/probe/any', { token: opToken })).json();
    expect(me).toMatchObject({ username: 'op.http', role: 'operator', scope: [DESA_A] });
    for (const [method, url] of [
      ['GET', '/probe/verifiers'],
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/audit'],
      ['POST', '/api/admin/users'],
    ] as const) {
      const res = await call(method, url, { token: opToken, body: method === 'POST' ? {} : undefined });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('forbidden');
    }
    expect((await call('GET', '/probe/verifiers', { token: adminToken })).statusCode).toBe(200);
  });

  it('disable, enable, password reset and revoke act at once over HTTP and are audited', async () => {
    const adminToken = await login('root', 'root-password-1');
    const { id } = (
      await call('POST', '/api/admin/users', { token: adminToken, body: { username: 'ver.http', password: 'ver-password-1', role: 'verifier' } })
    ).json();
    const verToken = await login('ver.http', 'ver-password-1');
    expect((await call('GET', '/api/me', { token: verToken })).statusCode).toBe(200);

    const disabled = await call('POST', `/api/admin/users/${id}/disable`, { token: adminToken });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ id, disabled: true });
    expect((await call('GET', '/api/me', { token: verToken })).statusCode).toBe(401);
    expect((await call('POST', `/api/admin/users/${id}/enable`, { token: adminToken })).json()).toMatchObject({ disabled: false });

    const weak = await call('POST', `/api/admin/users/${id}/password`, { token: adminToken, body: { password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect((await call('POST', `/api/admin/users/${id}/password`, { token: adminToken, body: { password: 'ver-password-2' } })).statusCode).toBe(200);
    const ver2 = await login('ver.http', 'ver-password-2');
    expect((await call('POST', `/api/admin/users/${id}/revoke-tokens`, { token: adminToken })).statusCode).toBe(200);
    expect((await call('GET', '/api/me', { token: ver2 })).statusCode).toBe(401);
    expect((await call('POST', '/api/admin/users/00000000-0000-0000-0000-000000000000/disable', { token: adminToken })).statusCode).toBe(404);

    const list = await call('GET', '/api/admin/users', { token: adminToken });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toMatch(/scrypt/);
    expect(list.json().find((u: { id: string }) => u.id === id)).toMatchObject({ username: 'ver.http', role: 'verifier', disabled: false });

    const audit = await call('GET', '/api/admin/audit?limit=6', { token: adminToken });
    expect(audit.statusCode).toBe(200);
    expect(audit.json().map((e: { action: string }) => e.action)).toEqual([
      'tokens_revoked', 'login_ok', 'password_reset', 'user_enabled', 'user_disabled', 'login_ok',
    ]);
    expect(audit.json()[0]).toMatchObject({ actorUsername: 'root', target: id, ip: '127.0.0.1' });
    expect((await call('GET', '/api/admin/audit?limit=0', { token: adminToken })).statusCode).toBe(400);
    expect((await call('GET', '/api/admin/audit?limit=abc', { token: adminToken })).statusCode).toBe(400);
  });

  it('repeated failed logins get 429 too_many_attempts with Retry-After', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await call('POST', '/api/auth/login', { body: { username: 'root', password: `wrong-${i}` }, ip: '198.51.100.7' })).statusCode).toBe(401);
    }
    const res = await call('POST', '/api/auth/login', { body: { username: 'root', password: 'root-password-1' }, ip: '198.51.100.7' });
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toBe('too_many_attempts');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
