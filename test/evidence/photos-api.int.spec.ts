import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient, type PhotoView } from '@suara/contracts';
import { openBlobStore } from '../../services/src/evidence/blob-store.factory';
import type { BlobStore } from '../../services/src/evidence/blob-store.port';
import { s3Env, startS3TestServer, type S3TestServer } from '../../services/src/evidence/s3-test-server';
import { backends, bootApp, ppwpForm, type TestApp } from '../support/app';
import sharp from 'sharp';
import { errorOf, eventually, statusOf } from '../support/http';
import { blobOf, filesUnder, NOT_IMAGES, postPhotoForm, sha256, sheet, sixteenMegabytes } from '../support/photos';

const DESA = '1222011001';
const OTHER_DESA = '1222012002';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
let crid = 0;
const newCrid = () => `photo-${Date.now().toString(36)}-${++crid}`;

type Storage = 'disk' | 's3';
const setups: Array<[string, 'pglite' | 'postgres', Storage]> = [['PGlite, photos on disk', 'pglite', 'disk']];
if (backends().includes('postgres')) setups.push(['PostgreSQL, photos on S3 (s3rver)', 'postgres', 's3']);

/** A valid DPD form for the TPS (one candidate gets every vote). */
async function dpdForm(client: SuaraClient, tpsCode: string) {
  const sheet = (await client.tpsBallots(tpsCode)).find((b) => b.ballot === 'DPD')!;
  return { votes: { [sheet.options[0].number]: 9 }, valid: 9, invalid: 1 };
}

describe.each(setups)('photos of the C.Hasil over HTTP: %s', (_name, backend, storage) => {
  let t: TestApp;
  let s3: S3TestServer | undefined;
  const s3Dir = mkdtempSync(join(tmpdir(), 'suara-s3-objects-'));
  let blobs: BlobStore;
  let verifier: SuaraClient;
  const operator = () => t.userClient('operator', [DESA]);

  beforeAll(async () => {
    s3 = storage === 's3' ? await startS3TestServer({ directory: s3Dir }) : undefined;
    const env: Record<string, string> = { SUARA_PHOTO_RATE_PER_MIN: '6', ...(s3 ? s3Env(s3, `suara-${randomBytes(3).toString('hex')}`) : {}) };
    t = await bootApp(backend, env);
    blobs = await openBlobStore(t.config);
    verifier = await t.userClient('verifier');
  });
  afterAll(async () => {
    await blobs?.close();
    await t?.close();
    await s3?.stop();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  // Only the S3 store can be out of reach (registered for that setup only: nothing is skipped).
  if (storage === 's3') it('answers 503 with Retry-After while the S3 server is down, appends nothing, and works again when it is back', async () => {
    const op = await operator();
    const first = await op.uploadPhoto(tps(30), 'PPWP', blobOf(await sheet({ lines: ['sebelum'] })));
    await eventually('the thumbnail', async () => op.photo(first.body.sha256, 'thumb').catch(() => undefined));
    const port = s3!.port;
    await s3!.stop();
    try {
      const down = await errorOf(op.uploadPhoto(tps(30), 'PPWP', blobOf(await sheet({ lines: ['saat mati'] }))));
      expect(down.status).toBe(503);
      expect(down.body.error).toBe('photo_store_unavailable');
      expect(down.headers?.get('retry-after')).toBe('5');
      expect((await errorOf(op.photo(first.body.sha256))).status).toBe(503);
      expect((await verifier.history(tps(30), 'PPWP')).map((h) => h.type)).toEqual(['PhotoAttached']);
    } finally {
      s3 = await startS3TestServer({ port, directory: s3Dir });
    }
    expect((await op.uploadPhoto(tps(30), 'PPWP', blobOf(await sheet({ lines: ['sesudah'] })))).status).toBe(201);
    expect((await op.photo(first.body.sha256, 'thumb')).bytes.length).toBeGreaterThan(0);
  });

  it('takes a photo before the numbers (201), keeps the result empty, and the submission that follows is version 2', async () => {
    const op = await operator();
    const me = await op.me();
    const bytes = await sheet({ exif: { orientation: 6, gps: true }, width: 1200, height: 900 });
    const first = await op.uploadPhoto(tps(1), 'PPWP', blobOf(bytes), { page: 1 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ sha256: sha256(bytes), contentType: 'image/jpeg', bytes: bytes.length, width: 900, height: 1200, page: 1, by: me.username });
    expect(Date.parse(first.body.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(await blobs.has(sha256(bytes))).toBe(true);

    const before = await op.result(tps(1), 'PPWP');
    expect(before).toMatchObject({ status: 'empty', form: null, version: 1, photos: [first.body] });

    const form = ppwpForm({ '01': 50, '02': 120, '03': 10 });
    const submission = { tpsCode: tps(1), ballot: 'PPWP' as const, clientRequestId: newCrid(), form };
    const submitted = await op.submit(submission);
    expect(submitted).toMatchObject({ status: 201, body: { status: 'submitted', version: 2 } });
    const retry = await op.submit(submission);
    expect(retry).toEqual({ status: 200, body: submitted.body });

    // The same bytes again: 200 with the very same body, nothing appended.
    const again = await op.uploadPhoto(tps(1), 'PPWP', blobOf(bytes), { page: 4 });
    expect(again).toEqual({ status: 200, body: first.body });
    const history = await verifier.history(tps(1), 'PPWP');
    expect(history.map((h) => h.type)).toEqual(['PhotoAttached', 'ResultSubmitted']);
    expect(history[0]).toMatchObject({ version: 1, by: { username: me.username, role: 'operator' }, data: { sha256: sha256(bytes), page: 1 } });
    expect(history[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes PNG and WebP after the numbers without changing numbers, flags or status; a verifier may add one too', async () => {
    const op = await operator();
    const form = ppwpForm({ '01': 301, '02': 0, '03': 0 }); // flagged: one option over 300
    await op.submit({ tpsCode: tps(2), ballot: 'PPWP', clientRequestId: newCrid(), form });
    const verified = await verifier.verify(tps(2), 'PPWP', 1);
    const png = await sheet({ format: 'png', width: 600, height: 800 });
    const webp = await sheet({ format: 'webp', width: 800, height: 600 });
    const a = await op.uploadPhoto(tps(2), 'PPWP', blobOf(png, 'image/png'), { page: 1, filename: 'hal1.png' });
    const b = await verifier.uploadPhoto(tps(2), 'PPWP', blobOf(webp, 'image/webp'));
    expect(a.body).toMatchObject({ contentType: 'image/png', width: 600, height: 800, page: 1 });
    expect(b.body).toMatchObject({ contentType: 'image/webp', width: 800, height: 600, page: null });
    const after = await verifier.result(tps(2), 'PPWP');
    expect(after).toMatchObject({ status: 'verified', form, flags: verified.flags, version: 4, verifiedBy: verified.verifiedBy });
    expect(after.photos!.map((p: PhotoView) => p.sha256)).toEqual([sha256(png), sha256(webp)]);
  });

  it('refuses a PDF, an SVG with a script, a truncated JPEG and a polyglot with 415, a 16 MB file with 413, and stores nothing', async () => {
    const op = await operator();
    const before = storage === 'disk' ? filesUnder(t.config.blobDir) : [];
    const refused: Array<[string, Buffer, string, number]> = [
      ['pdf', NOT_IMAGES.pdf(), 'application/pdf', 415],
      ['svg', NOT_IMAGES.svgWithScript(), 'image/svg+xml', 415],
      ['truncated', await NOT_IMAGES.truncatedJpeg(), 'image/jpeg', 415],
      ['polyglot', NOT_IMAGES.polyglot(), 'image/jpeg', 415],
      ['16 MB', sixteenMegabytes(), 'image/jpeg', 413],
    ];
    for (const [what, bytes, type, status] of refused) {
      const err = await errorOf(op.uploadPhoto(tps(3), 'PPWP', blobOf(bytes, type)));
      expect(err.status, what).toBe(status);
      expect(err.body.error, what).toBe(status === 415 ? 'unsupported_media' : 'payload_too_large');
      expect(err.body.message, what).toBeTruthy();
      expect(await blobs.has(sha256(bytes)), what).toBe(false);
    }
    expect(await verifier.history(tps(3), 'PPWP')).toEqual([]);
    if (storage === 'disk') expect(filesUnder(t.config.blobDir)).toEqual(before);
  });

  it('accepts a real photo of up to 15 MB (a noisy PNG), streamed through', async () => {
    const op = await operator();
    // A noisy PNG compresses badly: about 15 MB of real image at this size.
    let side = 2200;
    let png = await sheet({ format: 'png', width: side, height: side, noise: 60 });
    while (png.length > 15 * 1024 * 1024) png = await sheet({ format: 'png', width: (side -= 100), height: side, noise: 60 });
    expect(png.length).toBeGreaterThan(10 * 1024 * 1024);
    const ok = await op.uploadPhoto(tps(4), 'PPWP', blobOf(png, 'image/png'));
    expect(ok.status).toBe(201);
    expect(ok.body.bytes).toBe(png.length);
  });

  it('confines operators to their desa (403), knows only real TPS and ballots (404), and lets no other role upload', async () => {
    const op = await operator();
    const bytes = await sheet();
    expect(await statusOf(op.uploadPhoto(`${OTHER_DESA}001`, 'PPWP', blobOf(bytes)))).toBe(403);
    expect(await statusOf(op.uploadPhoto('1222011001999', 'PPWP', blobOf(bytes)))).toBe(404);
    expect(await statusOf(op.request('POST', `/api/results/${tps(5)}/XYZ/photos`, {}))).toBe(400);
    const official = await t.userClient('official');
    expect(await statusOf(official.uploadPhoto(tps(5), 'PPWP', blobOf(bytes)))).toBe(403);
    expect(await statusOf(t.admin.uploadPhoto(tps(5), 'PPWP', blobOf(bytes)))).toBe(403);
    expect(await statusOf(new SuaraClient(t.url).uploadPhoto(tps(5), 'PPWP', blobOf(bytes)))).toBe(401);
    expect(await blobs.has(sha256(bytes))).toBe(false);
  });

  it('names what is wrong with the form: no photo, another field, two files, a bad page, JSON instead of multipart', async () => {
    const op = await operator();
    const jpeg = blobOf(await sheet());
    const noPhoto = await postPhotoForm(t.url, op.token!, tps(6), 'PPWP', [['page', '1']]);
    expect(noPhoto).toMatchObject({ status: 400, body: { error: 'invalid_input', issues: [{ path: 'photo' }] } });
    const wrongField = await postPhotoForm(t.url, op.token!, tps(6), 'PPWP', [['file', jpeg]]);
    expect(wrongField).toMatchObject({ status: 400, body: { issues: [{ path: 'file' }] } });
    const twoFiles = await postPhotoForm(t.url, op.token!, tps(6), 'PPWP', [['photo', jpeg], ['photo', jpeg]]);
    expect(twoFiles).toMatchObject({ status: 400, body: { issues: [{ path: 'photo' }] } });
    // Every request takes from the uploader's rate budget (6 a minute here): a second operator goes on.
    const op2 = await operator();
    for (const page of ['0', '-1', 'dua', '1.5', '51']) {
      const bad = await postPhotoForm(t.url, op2.token!, tps(6), 'PPWP', [['page', page], ['photo', jpeg]]);
      expect(bad, page).toMatchObject({ status: 400, body: { issues: [{ path: 'page' }] } });
    }
    expect(await statusOf(op2.request('POST', `/api/results/${tps(6)}/PPWP/photos`, { photo: 'x' }))).toBe(415);
    expect(await verifier.history(tps(6), 'PPWP')).toEqual([]);
  });

  it('rate-limits uploads per user like submissions (429 with Retry-After)', async () => {
    const op = await operator();
    const statuses: number[] = [];
    let retryAfter: string | null | undefined;
    for (let i = 0; i < 8; i++) {
      const bytes = await sheet({ lines: [`foto ${i}`] });
      try {
        statuses.push((await op.uploadPhoto(tps(7), 'PPWP', blobOf(bytes))).status);
      } catch (e) {
        const err = e as { status: number; headers?: Headers };
        statuses.push(err.status);
        retryAfter = err.headers?.get('retry-after');
      }
    }
    expect(statuses.slice(0, 6)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another operator is not held back by this one.
    expect((await (await operator()).uploadPhoto(tps(7), 'PPWP', blobOf(await sheet({ lines: ['lain'] })))).status).toBe(201);
  });

  it('serves a photo to whoever may read its result: upright, without metadata, ETag and immutable cache; a thumbnail at most 480 px wide', async () => {
    const op = await operator();
    const bytes = await sheet({ width: 1600, height: 1200, exif: { orientation: 6, gps: true } });
    const { body: photo } = await op.uploadPhoto(tps(8), 'PPWP', blobOf(bytes), { page: 1 });
    const full = await eventually('the photo to be readable', async () => op.photo(photo.sha256).catch(() => undefined));
    expect(full.contentType).toBe('image/jpeg');
    expect(full.etag).toBe(`"${photo.sha256}"`);
    const meta = await sharp(Buffer.from(full.bytes)).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1200, height: 1600 });
    expect(meta.exif).toBeUndefined();
    expect(Buffer.from(full.bytes).includes(Buffer.from('SimulasiPhone'))).toBe(false);
    // The original, untouched, is what the hash names and what the store keeps.
    expect(sha256(await blobs.get(photo.sha256))).toBe(photo.sha256);

    const thumb = await verifier.photo(photo.sha256, 'thumb');
    const thumbMeta = await sharp(Buffer.from(thumb.bytes)).metadata();
    expect(thumbMeta).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect(thumb.etag).toBe(`"${photo.sha256}-thumb"`);

    const res = await fetch(`${t.url}/api/photos/${photo.sha256}`, { headers: { authorization: `Bearer ${verifier.token}` } });
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const again = await fetch(`${t.url}/api/photos/${photo.sha256}`, { headers: { authorization: `Bearer ${verifier.token}`, 'if-none-match': `"${photo.sha256}"` } });
    expect(again.status).toBe(304);

    // A PNG without metadata is served as it was sent.
    const png = await sheet({ format: 'png', width: 500, height: 700 });
    const { body: pngPhoto } = await op.uploadPhoto(tps(8), 'PPWP', blobOf(png, 'image/png'), { page: 2 });
    const servedPng = await eventually('the PNG', async () => verifier.photo(pngPhoto.sha256).catch(() => undefined));
    expect(sha256(servedPng.bytes)).toBe(pngPhoto.sha256);
    expect(servedPng.contentType).toBe('image/png');
  });

  it('answers 404 for a photo the caller may not see, as for one that does not exist', async () => {
    const op = await operator();
    const stranger = await t.userClient('operator', [OTHER_DESA]);
    const official = await t.userClient('official');
    const { body: photo } = await op.uploadPhoto(tps(9), 'DPD', blobOf(await sheet({ lines: ['DPD'] })));
    await eventually('the photo to be readable', async () => op.photo(photo.sha256, 'thumb').catch(() => undefined));
    expect((await errorOf(stranger.photo(photo.sha256))).status).toBe(404);
    expect((await errorOf(stranger.photo(photo.sha256, 'thumb'))).status).toBe(404);
    expect((await official.photo(photo.sha256)).bytes.length).toBeGreaterThan(0);
    expect((await t.admin.photo(photo.sha256, 'thumb')).bytes.length).toBeGreaterThan(0);
    expect((await errorOf(op.photo('f'.repeat(64)))).status).toBe(404);
    expect((await errorOf(op.photo('not-a-hash'))).status).toBe(400);
    expect(await statusOf(op.request('GET', `/api/photos/${photo.sha256}?size=huge`))).toBe(400);
    expect((await errorOf(new SuaraClient(t.url).photo(photo.sha256))).status).toBe(401);
  });

  it('counts TPS with photos in the tallies at every level, and the queue filters "tanpa foto"', async () => {
    const op = await operator();
    const a = tps(20);
    const b = tps(21);
    const before = await verifier.tally(DESA, 'PPWP');
    for (const code of [a, b]) await op.submit({ tpsCode: code, ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': 1, '02': 2, '03': 3 }) });
    await op.uploadPhoto(a, 'PPWP', blobOf(await sheet({ lines: ['a'] })));
    const desa = await eventually('tpsWithPhoto to move', async () => {
      const tally = await verifier.tally(DESA, 'PPWP');
      return tally.progress.tpsWithPhoto === before.progress.tpsWithPhoto! + 1 ? tally : undefined;
    });
    expect(desa.children.find((c) => c.code === a)?.progress.tpsWithPhoto).toBe(1);
    expect(desa.children.find((c) => c.code === b)?.progress.tpsWithPhoto).toBe(0);
    // The same figure in every ballot's tally, and up to the kabupaten.
    expect((await verifier.tally(DESA, 'DPD')).progress.tpsWithPhoto).toBe(desa.progress.tpsWithPhoto);
    expect((await verifier.tally('1222', 'PPWP')).progress.tpsWithPhoto).toBeGreaterThanOrEqual(desa.progress.tpsWithPhoto!);
    // A second ballot submitted without a photo takes the TPS out again.
    await op.submit({ tpsCode: a, ballot: 'DPD', clientRequestId: newCrid(), form: await dpdForm(op, a) });
    await eventually('TPS a to drop out', async () => ((await verifier.tally(DESA, 'PPWP')).progress.tpsWithPhoto === before.progress.tpsWithPhoto ? true : undefined));

    const without = await verifier.results({ ballot: 'PPWP', status: ['submitted'], photos: 'none' });
    const withPhotos = await verifier.results({ ballot: 'PPWP', status: ['submitted'], photos: 'some' });
    expect(without.some((r) => r.tpsCode === b)).toBe(true);
    expect(without.some((r) => r.tpsCode === a)).toBe(false);
    expect(withPhotos.find((r) => r.tpsCode === a)?.photos).toHaveLength(1);
    expect(without.every((r) => r.photos?.length === 0)).toBe(true);
    expect(await statusOf(verifier.request('GET', '/api/results?photos=maybe'))).toBe(400);
  });
});
