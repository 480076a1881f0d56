import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SuaraClient, type PhotoView } from '@suara/contracts';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../../services/src/db/test-support/test-database';
import { DiskBlobStore } from '../../services/src/evidence/disk.blob-store';
import { ppwpForm } from '../support/app';
import { errorOf, eventually } from '../support/http';
import { postgresSuiteGuard, runCli, waitUntil } from '../support/reliability';
import { startServer, type RunningServer } from '../support/server';
import { blobOf, sha256, sheet } from '../support/photos';

/**
 * The photos are evidence: a blob altered or removed on disk is never served and `verify-chain`
 * names it; `export` carries the photos beside the event log and `import` into an empty deployment
 * reproduces every one with its hash.
 */

const DESA = '1222011001';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
const PASSWORD = 'Uji-Sandi-Kuat-2024';

describeIfPostgres('photos as evidence: tamper checks, backup and restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suara-photo-evidence-'));
  const backup = join(dir, 'events.ndjson');
  const servers: RunningServer[] = [];
  const databases: PostgresTestDatabase[] = [];
  let sourceDb: PostgresTestDatabase;
  let source: RunningServer;
  let verifier: SuaraClient;
  let blobDir: string;
  let photos: PhotoView[] = [];

  async function freshDatabase() {
    const db = await createPostgresTestDatabase();
    databases.push(db);
    return db;
  }
  const cli = (args: string[], db: PostgresTestDatabase, blobs: string) => runCli(args, { DATABASE_URL: db.url, BLOB_DIR: blobs });
  async function client(s: RunningServer, username: string) {
    const c = new SuaraClient(s.url);
    await c.login(username, PASSWORD);
    return c;
  }

  beforeAll(async () => {
    sourceDb = await freshDatabase();
    blobDir = join(dir, 'blobs');
    source = await startServer({ env: { DATABASE_URL: sourceDb.url, BLOB_DIR: blobDir } });
    servers.push(source);
    const admin = new SuaraClient(source.url);
    await admin.login(source.adminUser, source.adminPassword);
    await admin.createUser({ username: 'op-bukti', password: PASSWORD, role: 'operator', scope: [DESA] });
    await admin.createUser({ username: 'ver-bukti', password: PASSWORD, role: 'verifier' });
    const operator = await client(source, 'op-bukti');
    verifier = await client(source, 'ver-bukti');
    const jpeg = await sheet({ exif: { gps: true } });
    const png = await sheet({ format: 'png', lines: ['halaman 2'] });
    photos = [
      (await operator.uploadPhoto(tps(1), 'PPWP', blobOf(jpeg), { page: 1 })).body,
      (await operator.uploadPhoto(tps(1), 'PPWP', blobOf(png, 'image/png'), { page: 2 })).body,
    ];
    await operator.submit({ tpsCode: tps(1), ballot: 'PPWP', clientRequestId: 'bukti-0000001', form: ppwpForm({ '01': 5, '02': 6, '03': 7 }) });
    photos.push((await verifier.uploadPhoto(tps(2), 'DPD', blobOf(await sheet({ format: 'webp', lines: ['DPD'] }), 'image/webp'))).body);
    // Each photo is readable once the read model has it.
    for (const p of photos) await waitUntil(`photo ${p.sha256}`, async () => ((await verifier.photo(p.sha256)).bytes.length > 0 ? true : undefined), 30_000);
  });

  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const db of databases) await db.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify-chain checks every photo the events name, and names one altered on disk, which is never served', async () => {
    const ok = await cli(['verify-chain'], sourceDb, blobDir);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('photos intact: 3 referenced');
    // The read models (photo progress included) agree with a recount from the events.
    const check = await cli(['check'], sourceDb, blobDir);
    expect(check.code, check.stdout + check.stderr).toBe(0);

    const store = await DiskBlobStore.open(blobDir);
    const target = photos[0];
    const path = store.pathOf(target.sha256);
    const original = readFileSync(path);
    const altered = Buffer.from(original);
    altered[altered.length - 10] ^= 0x01; // one bit, deep in the picture
    chmodSync(path, 0o644);
    writeFileSync(path, altered);
    try {
      const bad = await cli(['verify-chain'], sourceDb, blobDir);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(new RegExp(`blob_altered\\tresult-[^\\t]*-${tps(1)}-PPWP#1\\tphoto ${target.sha256} hashes to ${sha256(altered)}`));
      expect(bad.stdout).toContain('1 problem(s) with the photos');
      // Never served: a clear error instead of the altered bytes, whatever size is asked.
      const err = await errorOf(verifier.photo(target.sha256));
      expect(err.status).toBe(500);
      expect(err.body.error).toBe('photo_damaged');
      // The server logs asynchronously: the line may follow the response by a moment.
      await eventually('the refusal in the log', () => source.output().includes(`photo ${target.sha256} refused`) || undefined, 5_000);
    } finally {
      writeFileSync(path, original);
    }

    renameSync(path, `${path}.moved`);
    try {
      const missing = await cli(['verify-chain'], sourceDb, blobDir);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toContain(`blob_missing\tresult-`);
      expect((await errorOf(verifier.photo(target.sha256))).body.error).toBe('photo_missing');
    } finally {
      renameSync(`${path}.moved`, path);
    }
    expect((await cli(['verify-chain'], sourceDb, blobDir)).code).toBe(0);
    expect(sha256((await verifier.photo(target.sha256)).bytes)).not.toBe('');
  });

  it('export carries the photos; import into an empty deployment reproduces every photo with its hash', async () => {
    const exported = await cli(['export', backup], sourceDb, blobDir);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`exported 3 photos to ${backup}.blobs/`);
    const copies = await DiskBlobStore.open(`${backup}.blobs`, { readOnly: true });
    for (const p of photos) expect(sha256(await copies.get(p.sha256))).toBe(p.sha256);

    const targetDb = await freshDatabase();
    const targetBlobs = join(dir, 'restored-blobs');
    const imported = await cli(['import', backup], targetDb, targetBlobs);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported \d+ events and 3 photos/);
    expect((await cli(['verify-chain'], targetDb, targetBlobs)).stdout).toContain('photos intact: 3 referenced');

    const target = await startServer({ env: { DATABASE_URL: targetDb.url, BLOB_DIR: targetBlobs } });
    servers.push(target);
    const admin = new SuaraClient(target.url);
    await admin.login(target.adminUser, target.adminPassword);
    expect((await admin.result(tps(1), 'PPWP')).photos).toEqual(photos.slice(0, 2));
    expect((await admin.result(tps(2), 'DPD')).photos).toEqual(photos.slice(2));
    for (const p of photos) {
      const restored = readFileSync(join(targetBlobs, p.sha256.slice(0, 2), p.sha256.slice(2, 4), p.sha256));
      expect(sha256(restored)).toBe(p.sha256);
      // Served again (thumbnails are made anew: they are derived, not part of the backup).
      const thumb = await waitUntil('thumbnail after restore', async () => (await admin.photo(p.sha256, 'thumb')).bytes, 30_000);
      expect(thumb.length).toBeGreaterThan(0);
    }
  });

  it('refuses to restore when a photo of the backup is missing or altered, and writes nothing', async () => {
    const copies = `${backup}.blobs`;
    const victim = join(copies, photos[1].sha256.slice(0, 2), photos[1].sha256.slice(2, 4), photos[1].sha256);
    renameSync(victim, `${victim}.away`);
    try {
      const db = await freshDatabase();
      const blobs = join(dir, 'never-written');
      const result = await cli(['import', backup], db, blobs);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`blob_missing`);
      expect(result.stderr).toContain(photos[1].sha256);
      const { rows } = await db.db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages');
      expect(rows[0].n).toBe('0');
      expect(existsSync(join(blobs, photos[0].sha256.slice(0, 2)))).toBe(false);
    } finally {
      renameSync(`${victim}.away`, victim);
    }
  });
});

postgresSuiteGuard();
