import { afterAll, beforeAll, expect, it } from 'vitest';
import { SuaraClient, type ProposalView } from '@suara/contracts';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../services/src/db/test-support/test-database';
import { ppwpForm } from './support/app';
import { eventually } from './support/http';
import { connectLive, type LiveSocket } from './support/live-client';
import { startServer, type RunningServer } from './support/server';

const DESA = '1222011001';
const OTHER_DESA = '1222012002';
const TPS = `${DESA}001`;

/**
 * Proposals are pushed to people, not regions: the operator's phone may be connected to another
 * process than the one the verifier's request reached. Two service processes on one PostgreSQL and
 * one real Redis; each person's socket is on the other process than the request, so the pushes can
 * only arrive through socket.io's Redis adapter (without REDIS_URL this test fails).
 */
describeIfPostgres('proposal pushes across processes', () => {
  let pg: PostgresTestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    if (!process.env.TEST_REDIS_URL && process.env.CI) throw new Error('CI=true needs TEST_REDIS_URL');
    pg = await createPostgresTestDatabase();
    const env = { DATABASE_URL: pg.url, REDIS_URL: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379', SUARA_SUBMIT_RATE_PER_MIN: '10000' };
    // One after the other: the first migrates the fresh database.
    a = await startServer({ env });
    b = await startServer({ env });
  }, 240_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await pg?.drop();
  });

  it('reaches the operator on the other process, and the answer reaches the verifier on the other process', { timeout: 120_000 }, async () => {
    const admin = new SuaraClient(a.url);
    await admin.login(a.adminUser, a.adminPassword);
    const users = [
      { username: 'op-kotapinang', password: 'Merah-Putih-2024!op', role: 'operator' as const, scope: [DESA] },
      { username: 'op-simatahari', password: 'Merah-Putih-2024!os', role: 'operator' as const, scope: [OTHER_DESA] },
      { username: 'ver-rina', password: 'Merah-Putih-2024!vr', role: 'verifier' as const },
    ];
    for (const u of users) await admin.createUser(u);
    const login = async (url: string, u: (typeof users)[number]) => {
      const c = new SuaraClient(url);
      await c.login(u.username, u.password);
      return c;
    };
    const operatorOnB = await login(b.url, users[0]);
    const otherOperatorOnB = await login(b.url, users[1]);
    const verifierOnA = await login(a.url, users[2]);

    const heard = { operator: [] as ProposalView[], otherOperator: [] as ProposalView[], verifier: [] as ProposalView[] };
    const listen = async (url: string, token: string, into: ProposalView[]) => {
      const s = await connectLive(url, token);
      sockets.push(s);
      s.on('proposal', (p) => into.push(p));
    };
    await listen(b.url, operatorOnB.token!, heard.operator);
    await listen(b.url, otherOperatorOnB.token!, heard.otherOperator);
    await listen(a.url, verifierOnA.token!, heard.verifier);

    await operatorOnB.submit({ tpsCode: TPS, ballot: 'PPWP', clientRequestId: 'live-proposal-1', form: ppwpForm({ '01': 70, '02': 100, '03': 30 }) });
    const proposed = await verifierOnA.propose(TPS, 'PPWP', { expectedVersion: 1, form: ppwpForm({ '01': 71, '02': 100, '03': 30 }), reason: 'Salah baca 71 sebagai 70' });
    expect(proposed.status).toBe(202);

    // The request went to A, the operator's socket is on B.
    const pushed = await eventually('the proposal on the operator socket (process B)', () => heard.operator.find((p) => p.proposalId === proposed.body.proposalId));
    expect(pushed).toMatchObject({ status: 'open', tpsCode: TPS, reason: 'Salah baca 71 sebagai 70', after: { votes: { '01': 71 } } });

    // The operator answers through B; the verifier's socket is on A.
    await operatorOnB.confirmProposal(proposed.body.proposalId);
    const answer = await eventually('the answer on the verifier socket (process A)', () =>
      heard.verifier.find((p) => p.proposalId === proposed.body.proposalId && p.status === 'confirmed'));
    expect(answer.answeredBy?.username).toBe('op-kotapinang');
    // An operator of another desa hears nothing of it.
    expect(heard.otherOperator).toEqual([]);
  });
});
