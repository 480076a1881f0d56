import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient } from '@suara/contracts';
import { TokenService } from '../../services/src/identity/token.service';
import { MAX_ROOMS_PER_SOCKET } from '../../services/src/live/live.gateway';
import { backends, bootApp, type TestApp } from '../support/app';
import { connectLive, subscribe, type LiveSocket } from '../support/live-client';
import { desaList } from '../support/reliability';

/**
 * A session ends everywhere: an open `/live` socket is cut off within seconds of its user being
 * disabled, its password reset, its tokens revoked, its token logged out, or its token expiring,
 * and whatever it sends meanwhile is refused. The red team's socket kept receiving tallies after
 * all of these (the token was checked only at connect).
 */
const CUT_OFF_MS = 5_000;
const KABUPATEN = '1222';

describe.each(backends())('sessions end on open sockets (%s)', (backend) => {
  let t: TestApp;
  let n = 0;

  beforeAll(async () => {
    t = await bootApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** An official with a subscribed socket; resolves its id, client, socket and a promise of the session's end. */
  async function watcher() {
    const username = `watch-${++n}-${Date.now().toString(36)}`;
    const client = await t.userClient('official', undefined, username);
    const id = (await t.admin.users()).find((u) => u.username === username)!.id;
    const socket = await connectLive(t.url, client.token);
    expect((await subscribe(socket, KABUPATEN, 'PPWP')).ok).toBe(true);
    const ended = new Promise<{ reason: { error: string; message: string }; disconnect: string; at: number }>((resolve) => {
      let reason: { error: string; message: string } | undefined;
      socket.on('session_ended', (r) => (reason = r));
      socket.on('disconnect', (why) => resolve({ reason: reason!, disconnect: why, at: Date.now() }));
    });
    return { id, client, socket, ended };
  }

  async function expectCutOff(w: { socket: LiveSocket; ended: Promise<{ reason: { error: string }; disconnect: string; at: number }> }, started: number) {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open ${CUT_OFF_MS} ms later`)), CUT_OFF_MS + 1000));
    const end = await Promise.race([w.ended, timeout]);
    expect(end.at - started).toBeLessThan(CUT_OFF_MS);
    expect(end.reason.error).toBe('unauthenticated');
    expect(end.disconnect).toBe('io server disconnect');
    w.socket.close();
  }

  it('cuts a socket off when its user is disabled', async () => {
    const w = await watcher();
    const started = Date.now();
    await t.admin.disableUser(w.id);
    await expectCutOff(w, started);
  });

  it('cuts a socket off when its user’s password is reset', async () => {
    const w = await watcher();
    const started = Date.now();
    await t.admin.resetPassword(w.id, 'Sandi-Baru-Kuat-2024');
    await expectCutOff(w, started);
  });

  it('cuts a socket off when its user’s tokens are revoked', async () => {
    const w = await watcher();
    const started = Date.now();
    await t.admin.revokeTokens(w.id);
    await expectCutOff(w, started);
  });

  it('cuts a socket off when its token is logged out, and only that token', async () => {
    const w = await watcher();
    const other = new SuaraClient(t.url);
    await other.login((await w.client.me()).username, `Uji-Sandi-Kuat-${(await w.client.me()).username}`);
    const otherSocket = await connectLive(t.url, other.token);
    const started = Date.now();
    await w.client.logout();
    await expectCutOff(w, started);
    expect(otherSocket.connected).toBe(true);
    expect((await subscribe(otherSocket, KABUPATEN, 'PPWP')).ok).toBe(true);
    expect((await other.me()).id).toBe(w.id);
    otherSocket.close();
  });

  it('cuts a socket off when its token expires', async () => {
    const username = `expiring-${Date.now().toString(36)}`;
    await t.userClient('official', undefined, username);
    const user = (await t.admin.users()).find((u) => u.username === username)!;
    const tokens = t.app.get(TokenService);
    // Issued as long ago as the lifetime allows, less 2 s: it expires 2 s from now.
    const issuedAt = new Date(Date.now() - (t.config.tokenTtlSeconds - 2) * 1000);
    const { token, expiresAt } = tokens.issue({ id: user.id, role: user.role, tokenVersion: 1 }, issuedAt);
    const socket = await connectLive(t.url, token);
    expect((await subscribe(socket, KABUPATEN, 'PPWP')).ok).toBe(true);
    const ended = new Promise<{ reason: { error: string; message: string }; disconnect: string; at: number }>((resolve) => {
      let reason: { error: string; message: string } | undefined;
      socket.on('session_ended', (r) => (reason = r));
      socket.on('disconnect', (why) => resolve({ reason: reason!, disconnect: why, at: Date.now() }));
    });
    await expectCutOff({ socket, ended }, expiresAt.getTime());
  });

  it('refuses more than the cap of rooms on one socket', async () => {
    const client = await t.userClient('official');
    const socket = await connectLive(t.url, client.token);
    const desa = (await desaList(t.admin)).map((d) => d.code);
    const regions = [KABUPATEN, ...desa];
    expect(regions.length).toBeGreaterThan(MAX_ROOMS_PER_SOCKET);
    for (const code of regions.slice(0, MAX_ROOMS_PER_SOCKET)) expect((await subscribe(socket, code, 'PPWP')).ok, code).toBe(true);
    // Subscribing again to a room it is in is no new room.
    expect((await subscribe(socket, KABUPATEN, 'PPWP')).ok).toBe(true);
    const refused = await subscribe(socket, regions[MAX_ROOMS_PER_SOCKET], 'PPWP');
    expect(refused).toMatchObject({ ok: false, error: 'too_many_rooms' });
    await socket.timeout(10_000).emitWithAck('unsubscribe', { regionCode: KABUPATEN, ballot: 'PPWP' });
    expect((await subscribe(socket, regions[MAX_ROOMS_PER_SOCKET], 'PPWP')).ok).toBe(true);
    socket.close();
  });
});
