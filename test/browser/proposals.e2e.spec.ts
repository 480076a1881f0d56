import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SuaraClient } from '@suara/contracts';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * Issue 16 in Chromium against the real service: a verifier proposes a correction and the operator
 * confirms it on a 360 px phone, both screens updating live; the operator's app with the network off
 * from the start (service worker) and the two bugs of a new operator (chip after a delayed send,
 * list opened offline).
 */

const PASSWORD = 'Merah-Putih-2024!x';
const DESA_PROPOSAL = '1222012005';
const DESA_OFFLINE = '1222012006';
const DESA_LIST = '1222012007';

const suite = browserSuite(async ({ admin }) => {
  await admin.createUser({ username: 'operator-usulan', password: PASSWORD, role: 'operator', scope: [DESA_PROPOSAL] });
  await admin.createUser({ username: 'operator-luring', password: PASSWORD, role: 'operator', scope: [DESA_OFFLINE] });
  await admin.createUser({ username: 'operator-daftar', password: PASSWORD, role: 'operator', scope: [DESA_LIST] });
  await admin.createUser({ username: 'verifikator-usul', password: PASSWORD, role: 'verifier' });
});

async function fillPpwp(page: Page, v: [number, number, number], invalid: number) {
  await page.fill('input[name="votes.01"]', String(v[0]));
  await page.fill('input[name="votes.02"]', String(v[1]));
  await page.fill('input[name="votes.03"]', String(v[2]));
  await page.fill('input[name=valid]', String(v[0] + v[1] + v[2]));
  await page.fill('input[name=invalid]', String(invalid));
}

const chip = (page: Page, tps: string) => text(page, `[data-tps="${tps}"] a[data-ballot=PPWP] .chip-status`);

describe('corrections the operator confirms, in Chromium', () => {
  it('a verifier proposes, the operator confirms on a 360 px phone, both screens update live', async () => {
    const tps = `${DESA_PROPOSAL}001`;
    const op = new SuaraClient(suite.server.url);
    await op.login('operator-usulan', PASSWORD);
    await op.submit({ tpsCode: tps, ballot: 'PPWP', clientRequestId: 'e2e-usulan-0001', form: { votes: { '01': 30, '02': 80, '03': 10 }, valid: 120, invalid: 2 } });

    const verifier = await newPage(suite.browser, DESKTOP);
    const operator = await newPage(suite.browser, PHONE);
    try {
      const o = operator.page;
      await login(o, suite.server.url, 'operator-usulan', PASSWORD);
      await o.waitForSelector(`[data-tps="${tps}"] a[data-ballot=PPWP]`);
      await waitForText(o, `[data-tps="${tps}"] a[data-ballot=PPWP] .chip-status`, 'Menunggu verifikasi');
      expect(await o.locator('[data-testid=proposal-badge]').count()).toBe(0);

      const v = verifier.page;
      await login(v, suite.server.url, 'verifikator-usul', PASSWORD);
      await v.goto(`${suite.server.url}/#/verifikasi/PPWP`);
      await v.click(`[data-testid=queue] button[data-tps="${tps}"]`);
      await v.click('[data-testid=correct]');
      await v.fill('input[name="votes.02"]', '85');
      await v.fill('input[name=valid]', '125');
      await v.fill('textarea[name=reason]', 'salah baca angka paslon 02 di C.Hasil');
      await expect(text(v, '[data-testid=save-correction]')).resolves.toBe('Usulkan ke operator');
      await v.click('[data-testid=save-correction]');
      await v.waitForSelector('[data-testid=proposal][data-status=open]');
      // Proposed, not applied: the numbers and the status stay until the operator answers.
      await expect(text(v, '[data-testid=result-status]')).resolves.toBe('Menunggu verifikasi');
      await expect(v.locator('[data-testid=verify]').count()).resolves.toBe(0);
      await screenshot(v, 'verifier-proposed-1280');

      // Live on the phone, no reload: badge, chip, the numbers before/after and the reason.
      await waitForText(o, '[data-testid=proposal-badge]', '1');
      await expect(chip(o, tps)).resolves.toBe('Usulan koreksi');
      const card = o.locator(`[data-testid=proposal]`);
      await expect(card.locator('tr[data-path="votes.02"] td.old').innerText()).resolves.toBe('80');
      await expect(card.locator('tr[data-path="votes.02"] td.new').innerText()).resolves.toBe('85');
      await expect(card.locator('tr[data-path="votes.01"]').count()).resolves.toBe(0);
      await expect(card.innerText()).resolves.toContain('salah baca angka paslon 02 di C.Hasil');
      expect(await horizontalOverflow(o)).toBe(0);
      await screenshot(o, 'operator-proposal-360');
      await o.click('[data-testid=confirm-proposal]');
      await waitForText(o, `[data-tps="${tps}"] a[data-ballot=PPWP] .chip-status`, 'Dikoreksi');
      expect(await o.locator('[data-testid=proposal-badge]').count()).toBe(0);
      await screenshot(o, 'operator-confirmed-360');

      // The verifier's open panel hears the answer and shows the corrected result.
      await waitForText(v, '[data-testid=proposal-status]', 'dikonfirmasi operator');
      await waitForText(v, '[data-testid=result-status]', 'Dikoreksi');
      await v.waitForSelector('[data-testid=own-work]');
      await expect(text(v, '[data-testid=timeline]')).resolves.toContain('dikonfirmasi operator di aplikasi');
      await screenshot(v, 'verifier-answer-1280');

      const stored = await suite.admin.result(tps, 'PPWP');
      expect(stored).toMatchObject({ status: 'corrected', form: { votes: { '01': 30, '02': 85, '03': 10 } } });

      // The operator's own audit trail of that result.
      await o.click(`[data-tps="${tps}"] a[data-ballot=PPWP]`);
      await o.click('[data-testid=own-history] summary');
      await expect(text(o, '[data-testid=own-history]')).resolves.toContain('Koreksi diusulkan');
      await expect(text(o, '[data-testid=own-history]')).resolves.toContain('dikonfirmasi operator di aplikasi');
      await screenshot(o, 'operator-history-360');
    } finally {
      await verifier.context.close();
      await operator.context.close();
    }
  });
});

/**
 * Opens TPS `tps`'s PPWP form with the network off from a fresh start of the app, sends it into the
 * outbox, and checks that it is delivered and shown once the network returns. `slowWorker`: the
 * service worker's install is held back 4 s, so the login and the list's reads beat it (a busy phone
 * or a slow line); the list must read again through the worker once it takes over.
 */
async function offlineFromTheStart(tps: string, slowWorker: boolean, shots?: string): Promise<void> {
  const { context, page } = await newPage(suite.browser, PHONE, 'allow');
  const shot = (name: string) => (shots ? screenshot(page, `${shots}-${name}-360`) : Promise.resolve());
  if (slowWorker) {
    await context.route('**/*', async (route) => {
      if (route.request().serviceWorker() && new URL(route.request().url()).pathname === '/') await new Promise((r) => setTimeout(r, 4000));
      await route.continue();
    });
  }
  try {
    await login(page, suite.server.url, 'operator-luring', PASSWORD);
    await page.waitForSelector(`[data-tps="${tps}"] a[data-ballot=PPWP]`);
    await waitForText(page, `[data-tps="${tps}"] a[data-ballot=PPWP] .chip-status`, 'Belum masuk');
    if (slowWorker) expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
    // The service worker controls the page once installed (it keeps the shell and the reads)…
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    // …and has kept what this form reads.
    const kept = [`/api/tps/${tps}/ballots`, `/api/results/${tps}/PPWP`];
    const keptNow = () =>
      page.evaluate(async (paths) => {
        const keys = await (await caches.open('suara-reads-v1')).keys();
        return paths.filter((p) => keys.some((k) => new URL(k.url).pathname === p));
      }, kept);
    await expect.poll(keptNow, { timeout: 30_000, interval: 200 }).toEqual(kept);

    // Network off from here: a fresh start of the app (reload) and a form never opened before.
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector(`[data-tps="${tps}"] a[data-ballot=PPWP]`);
    await page.waitForSelector('[data-testid=offline-note]');
    await shot('list');
    await page.click(`[data-tps="${tps}"] a[data-ballot=PPWP]`);
    await page.waitForSelector('input[name="votes.01"]');
    await fillPpwp(page, [11, 22, 33], 4);
    await page.click('[data-testid=review]');
    await page.click('[data-testid=send]');
    await page.waitForSelector('text=Menunggu jaringan');
    await shot('form');
    await page.goto(`${suite.server.url}/#/operator`);
    await waitForText(page, `[data-tps="${tps}"] a[data-ballot=PPWP] .chip-status`, 'Menunggu jaringan');

    // Back online: the outbox delivers, and the chip says so without a reload (bug: stayed "Belum masuk").
    await context.setOffline(false);
    await waitForText(page, `[data-tps="${tps}"] a[data-ballot=PPWP] .chip-status`, 'Menunggu verifikasi');
    await shot('online-again');
    expect((await suite.admin.result(tps, 'PPWP')).form).toMatchObject({ votes: { '01': 11, '02': 22, '03': 33 } });
  } finally {
    await context.close();
  }
}

describe('the operator app offline, in Chromium', () => {
  it('opens and fills a form with the network off from the start; the outbox sends later and the chip follows without a reload', async () => {
    await offlineFromTheStart(`${DESA_OFFLINE}002`, false, 'operator-offline');
  });

  it('does so too when the login beat the service worker: the list reads again through it once it takes over', async () => {
    await offlineFromTheStart(`${DESA_OFFLINE}003`, true);
  });

  it('a list opened offline says so, then fills by itself when the network returns; a retry button is there', async () => {
    const tps = `${DESA_LIST}001`;
    const { context, page } = await newPage(suite.browser, PHONE);
    try {
      await login(page, suite.server.url, 'operator-daftar', PASSWORD);
      await page.waitForSelector(`[data-tps="${tps}"]`);
      // A new phone: nothing kept yet. Leave the list, lose the network, open the list again.
      await page.goto(`${suite.server.url}/#/operator/${tps}/PPWP`);
      await page.waitForSelector('input[name="votes.01"]');
      await context.setOffline(true);
      await page.evaluate(() => localStorage.clear());
      await page.goto(`${suite.server.url}/#/operator`);
      await waitForText(page, '[data-testid=list-error] button', 'Coba lagi');
      await expect(text(page, '[data-testid=list-error]')).resolves.toContain('Tidak dapat menghubungi server');
      expect(await page.locator('[data-tps]').count()).toBe(0);
      await screenshot(page, 'operator-list-offline-360');

      await context.setOffline(false);
      await page.waitForSelector(`[data-tps="${tps}"]`, { timeout: 30_000 });
      expect(await page.locator('[data-testid=list-error]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
