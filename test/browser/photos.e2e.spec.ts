import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Route } from 'playwright-core';
import { SuaraClient } from '@suara/contracts';
import { sheet } from '../support/photos';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * Photos of the C.Hasil in Chromium against the real service: an operator on a 360 px phone takes a
 * photo while the network drops in the middle of the upload, and it still arrives (smaller, without
 * its GPS); a verifier then sees it beside the numbers, zooms and turns it, and finds the results
 * still without a photo.
 */

const PASSWORD = 'Uji-Sandi-Kuat-2024';
const DESA = '1222022001';
const TPS_PHOTO = `${DESA}001`;
const TPS_NO_PHOTO = `${DESA}002`;

const dir = mkdtempSync(join(tmpdir(), 'suara-photos-e2e-'));

const suite = browserSuite(async ({ admin }) => {
  await admin.createUser({ username: 'operator-foto', password: PASSWORD, role: 'operator', scope: [DESA] });
  await admin.createUser({ username: 'verifikator-foto', password: PASSWORD, role: 'verifier' });
  await admin.createUser({ username: 'pejabat-foto', password: PASSWORD, role: 'official' });
}, { env: { SUARA_PHOTO_RATE_PER_MIN: '1000' } });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('photos of the C.Hasil in Chromium', () => {
  it('an operator at 360 px attaches a photo while the network drops mid-upload, and it arrives', async () => {
    // A phone camera's photo: 3000 × 2250, EXIF with GPS and a quarter turn.
    const original = await sheet({ width: 3000, height: 2250, quality: 90, noise: 20, exif: { orientation: 6, gps: true } });
    const file = join(dir, 'IMG_0001.jpg');
    writeFileSync(file, original);
    const { context, page } = await newPage(suite.browser, PHONE);
    let attempts = 0;
    await page.route('**/api/results/*/*/photos', async (route: Route) => {
      attempts++;
      // The first two uploads die on the way (a village connection dropping); the third goes through.
      if (attempts <= 2) await route.abort('connectionreset');
      else await route.continue();
    });
    try {
      await login(page, suite.server.url, 'operator-foto', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${TPS_PHOTO}/PPWP`);
      await page.waitForSelector('[data-testid=photo-capture]');
      expect(await page.getAttribute('[data-testid=photo-camera]', 'capture')).toBe('environment');
      expect(await page.getAttribute('[data-testid=photo-camera]', 'accept')).toBe('image/*');
      await page.setInputFiles('[data-testid=photo-file]', file);
      await page.waitForSelector('[data-testid=photo-waiting]');
      await expect(text(page, '[data-testid=photo-waiting]')).resolves.toMatch(/Menunggu jaringan/);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'photo-operator-waiting-360');
      // The photo waits on the phone, in IndexedDB, through a reload.
      await page.reload();
      await page.waitForSelector('[data-testid=photo-pending]');

      await page.waitForSelector('[data-testid=photo-sent]', { timeout: 30_000 });
      expect(attempts).toBeGreaterThanOrEqual(3);
      await expect(text(page, '[data-testid=photo-sent]')).resolves.toContain('Terkirim');
      await page.waitForSelector('[data-testid=photo-sent] img');
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'photo-operator-sent-360');

      // On the server: one photo, made smaller in the browser (long side 2,000 px), turned upright, no GPS.
      const result = await suite.admin.result(TPS_PHOTO, 'PPWP');
      expect(result.status).toBe('empty');
      expect(result.photos).toHaveLength(1);
      const photo = result.photos![0];
      expect(photo).toMatchObject({ contentType: 'image/jpeg', page: 1, by: 'operator-foto', width: 1500, height: 2000 });
      expect(photo.bytes).toBeLessThan(original.length);
      const served = await suite.admin.photo(photo.sha256);
      const meta = await sharp(Buffer.from(served.bytes)).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 1500, height: 2000 });
      expect(meta.exif).toBeUndefined();

      // Then the numbers: the photo came first, so the submission is the stream's second event.
      await page.fill('input[name="votes.01"]', '41');
      await page.fill('input[name="votes.02"]', '103');
      await page.fill('input[name="votes.03"]', '17');
      await page.fill('input[name=valid]', '161');
      await page.fill('input[name=invalid]', '4');
      await page.waitForSelector('[data-testid=check-ok]');
      await page.click('[data-testid=review]');
      await page.click('[data-testid=send]');
      await page.waitForSelector('[data-testid=done]');
      expect(await suite.admin.result(TPS_PHOTO, 'PPWP')).toMatchObject({ status: 'submitted', version: 2 });
    } finally {
      await context.close();
    }
  });

  it('a verifier sees the photo beside the numbers, zooms and turns it, and filters the queue "tanpa foto"', async () => {
    const operator = new SuaraClient(suite.server.url);
    await operator.login('operator-foto', PASSWORD);
    // A second result with numbers but no photo, and a second page for the first one.
    await operator.submit({ tpsCode: TPS_NO_PHOTO, ballot: 'PPWP', clientRequestId: 'e2e-foto-tanpa-01', form: { votes: { '01': 10, '02': 20, '03': 30 }, valid: 60, invalid: 1 } });
    await operator.uploadPhoto(TPS_PHOTO, 'PPWP', new Blob([new Uint8Array(await sheet({ format: 'png', width: 700, height: 990, lines: ['Halaman 2'] }))], { type: 'image/png' }), { page: 2 });

    const { context, page } = await newPage(suite.browser, DESKTOP);
    try {
      await login(page, suite.server.url, 'verifikator-foto', PASSWORD);
      await page.goto(`${suite.server.url}/#/verifikasi/PPWP`);
      await page.waitForSelector(`[data-testid=queue] button[data-tps="${TPS_PHOTO}"]`);
      await expect(text(page, `[data-testid=queue] button[data-tps="${TPS_PHOTO}"] [data-testid=queue-photos]`)).resolves.toBe('2 foto');
      await expect(text(page, `[data-testid=queue] button[data-tps="${TPS_NO_PHOTO}"] [data-testid=queue-photos]`)).resolves.toBe('tanpa foto');
      await page.click(`[data-testid=queue] button[data-tps="${TPS_PHOTO}"]`);
      await page.waitForSelector('[data-testid=photo-full]');
      await page.waitForFunction(() => (document.querySelector('[data-testid=photo-full]') as HTMLImageElement | null)?.naturalWidth === 1500);
      // Beside the numbers: the photo and the form side by side, at the same height.
      const photoBox = await page.locator('[data-testid=photo-viewer]').boundingBox();
      const numbersBox = await page.locator('[data-testid=result-panel] [data-testid=form-view]').boundingBox();
      expect(photoBox!.x + photoBox!.width).toBeLessThanOrEqual(numbersBox!.x + 1);
      expect(Math.abs(photoBox!.y - numbersBox!.y)).toBeLessThan(80);
      await expect(text(page, '[data-testid=photo-caption]')).resolves.toContain('operator-foto');
      await screenshot(page, 'photo-verifier-beside-1280');

      await page.click('[data-testid=photo-zoom-in]');
      await waitForText(page, '[data-testid=photo-zoom]', '150%');
      await page.click('[data-testid=photo-rotate]');
      await expect(page.getAttribute('[data-testid=photo-full]', 'style')).resolves.toContain('rotate(90deg)');
      await screenshot(page, 'photo-verifier-zoom-rotate-1280');
      const tabs = page.locator('[data-testid=photo-page-tab]');
      await expect(tabs.allInnerTexts()).resolves.toEqual(['Hal. 1', 'Hal. 2']);
      await tabs.nth(1).click();
      await page.waitForFunction(() => (document.querySelector('[data-testid=photo-full]') as HTMLImageElement | null)?.naturalWidth === 700);

      // The timeline shows each photo with who and when.
      await expect(page.locator('[data-testid=timeline-photo]').count()).resolves.toBe(2);
      await expect(text(page, '[data-testid=timeline] li.t-PhotoAttached')).resolves.toContain('operator-foto');

      await page.check('[data-testid=filter-no-photo]');
      await page.waitForSelector(`[data-testid=queue] button[data-tps="${TPS_PHOTO}"]`, { state: 'detached' });
      await page.waitForSelector(`[data-testid=queue] button[data-tps="${TPS_NO_PHOTO}"]`);
      await screenshot(page, 'photo-verifier-tanpa-foto-1280');
    } finally {
      await context.close();
    }
  });

  it('officials see how many TPS have photos, down to the desa', async () => {
    const { context, page } = await newPage(suite.browser, DESKTOP);
    try {
      await login(page, suite.server.url, 'pejabat-foto', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${DESA}/PPWP`);
      // TPS 001 has a photo for its one submitted ballot; TPS 002 has none.
      await waitForText(page, '[data-testid=tps-with-photo]', `1 / ${(await suite.admin.region(DESA)).children.length}`);
      await screenshot(page, 'photo-official-progress-1280');
    } finally {
      await context.close();
    }
  });
});
