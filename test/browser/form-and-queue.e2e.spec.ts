import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LAPTOP, PHONE, axeFindings, browserSuite, login, newPage, screenshot, text } from '../support/browser';

/**
 * Issue 20, items 4 and 5 in Chromium at 1366×768 and 360×740: a calm operator form — problems only
 * after a field was left or a send was tried, no "0" that looks typed, the desa in the header, "buka
 * semua" for DPR's party groups, focus that follows each step — and a verifier queue that names each
 * result's kecamatan and filters by kecamatan, flag and missing photo, kept in the URL.
 * Screenshots: operator-form-*, verifier-queue-*.
 */

const PASSWORD = 'Merah-Putih-2024!x';
const SIZES = [['1366', LAPTOP], ['360', PHONE]] as const;

let desa: { code: string; name: string };
let tpsCodes: string[];
let queueTps: { near: string; invalid: string };

const suite = browserSuite(async ({ admin, user }) => {
  const kec = await admin.region('122203');
  const d = await admin.region(kec.children[0]!.code);
  desa = { code: d.code, name: d.name };
  tpsCodes = d.children.map((c) => c.code);
  const here = await user('operator-tenang', PASSWORD, 'operator', [desa.code]);
  // The queue: a near-unanimous result here (Kec. 122203), a high-invalid one in Kec. 122201.
  const kotapinang = (await admin.region('122201')).children[0]!.code;
  const there = await user('operator-lain', PASSWORD, 'operator', [kotapinang]);
  await admin.createUser({ username: 'verifikator-antre', password: PASSWORD, role: 'verifier' });
  await here.submit({ tpsCode: tpsCodes.at(-1)!, ballot: 'PPWP', clientRequestId: 'queue-near-unanimous', form: { votes: { '01': 0, '02': 200, '03': 0 }, valid: 200, invalid: 1 } });
  queueTps = { near: tpsCodes.at(-1)!, invalid: `${kotapinang}001` };
  await there.submit({ tpsCode: queueTps.invalid, ballot: 'PPWP', clientRequestId: 'queue-high-invalid', form: { votes: { '01': 40, '02': 50, '03': 10 }, valid: 100, invalid: 20 } });
});

const focusedName = (page: Page) => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name || document.activeElement?.tagName);
const issuesShown = (page: Page) => page.locator('.chasil .field-issue').count();

describe('a calm operator form (issue 20, item 4)', () => {
  it.each(SIZES)('shows no problem before a field is left, then only that field\'s; no "0" placeholder; desa in the header (%s px)', async (size, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'operator-tenang', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${tpsCodes[Number(size === '360')]}/PPWP`);
      await page.waitForSelector('[data-testid=chasil-form]');
      await expect(text(page, '[data-testid=form-desa]')).resolves.toContain(desa.name.replace(/^(desa|kelurahan)\s+/i, ''));
      expect(await issuesShown(page)).toBe(0);
      expect(await page.locator('.chasil input[placeholder]').count()).toBe(0);
      // Enabled once the live check of the empty form is back: nothing is wrong before anything is typed.
      await page.waitForSelector('[data-testid=review]:not([disabled])');
      expect(await issuesShown(page)).toBe(0);
      await screenshot(page, `operator-form-calm-${size}`);

      // Leaving "Suara sah" empty: its "wajib diisi" appears, once; "Suara tidak sah" stays quiet.
      await page.focus('input[name=valid]');
      await page.focus('input[name=invalid]');
      await page.waitForSelector('label.field.invalid input[name=valid]');
      expect(await page.locator('label.field:has(input[name=valid]) .field-issue').allInnerTexts()).toEqual(['wajib diisi']);
      expect(await page.locator('label.field:has(input[name=invalid]) .field-issue').count()).toBe(0);
      await screenshot(page, `operator-form-touched-${size}`);
      expect(await axeFindings(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each(SIZES)('a send with problems shows them all and puts focus on the first; review, back and send keep focus on the step (%s px)', async (size, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'operator-tenang', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${tpsCodes[2 + Number(size === '360')]}/PPWP`);
      await page.waitForSelector('[data-testid=chasil-form]');
      await page.fill('input[name="votes.01"]', '10');
      await page.click('[data-testid=review]');
      await page.waitForSelector('label.field.invalid input[name=valid]');
      expect(await focusedName(page)).toBe('valid');
      expect(await issuesShown(page)).toBeGreaterThanOrEqual(2); // valid and invalid are required
      await expect(page.isDisabled('[data-testid=review]')).resolves.toBe(true);

      await page.fill('input[name="votes.02"]', '20');
      await page.fill('input[name="votes.03"]', '5');
      await page.fill('input[name=valid]', '35');
      await page.fill('input[name=invalid]', '1');
      await page.waitForSelector('[data-testid=check-ok]');
      await page.click('[data-testid=review]');
      await page.waitForSelector('[data-testid=confirm]');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Periksa sekali lagi');
      await page.click('[data-testid=confirm] button:has-text("Kembali ubah")');
      await page.waitForSelector('[data-testid=chasil-form]');
      // Back on the form, focus is where the operator left it: the last field typed in.
      await expect.poll(() => focusedName(page)).toBe('invalid');
      await page.waitForSelector('[data-testid=check-ok]');
      await page.click('[data-testid=review]');
      await page.waitForSelector('[data-testid=confirm]');
      await page.click('[data-testid=send]');
      await page.waitForSelector('[data-testid=done]');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('✓ Terkirim');
    } finally {
      await context.close();
    }
  });

  it.each(SIZES)('"Buka semua calon" opens all of DPR\'s party groups and closes them again (%s px)', async (size, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'operator-tenang', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${tpsCodes[0]}/DPR`);
      await page.waitForSelector('[data-testid=toggle-groups]');
      const groups = page.locator('details[data-testid^=candidates-]');
      const total = await groups.count();
      expect(total).toBeGreaterThanOrEqual(2);
      const open = () => page.locator('details[data-testid^=candidates-][open]').count();
      expect(await open()).toBe(0);
      // No "wajib diisi" anywhere on the 200-box DPR form before anything is typed.
      expect(await issuesShown(page)).toBe(0);
      await page.click('[data-testid=toggle-groups]');
      await expect.poll(open).toBe(total);
      expect(await focusedName(page)).toBe('BUTTON');
      await expect(text(page, '[data-testid=toggle-groups]')).resolves.toBe('Tutup semua calon');
      await screenshot(page, `operator-form-dpr-open-${size}`);
      await page.click('[data-testid=toggle-groups]');
      await expect.poll(open).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('the verifier queue (issue 20, item 5)', () => {
  const queueCodes = (page: Page) => page.locator('[data-testid=queue] button[data-tps]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tps')));

  it.each(SIZES)('names each result\'s kecamatan and filters by kecamatan and flag, kept in the URL across a reload (%s px)', async (size, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'verifikator-antre', PASSWORD);
      await page.goto(`${suite.server.url}/#/verifikasi/PPWP`);
      await expect.poll(() => queueCodes(page), { timeout: 15_000 }).toEqual(expect.arrayContaining([queueTps.near, queueTps.invalid]));
      await expect.poll(() => text(page, `button[data-tps="${queueTps.invalid}"] [data-testid=queue-kecamatan]`)).toBe('Kec. Kotapinang');
      await expect.poll(() => text(page, `button[data-tps="${queueTps.near}"] [data-testid=queue-kecamatan]`)).toMatch(/^Kec\. /);
      await screenshot(page, `verifier-queue-all-${size}`);

      await page.selectOption('[data-testid=filter-kecamatan]', '122201');
      await expect.poll(() => queueCodes(page)).toEqual([queueTps.invalid]);
      expect(page.url()).toContain('kec=122201');
      await page.reload();
      await expect.poll(() => queueCodes(page), { timeout: 15_000 }).toEqual([queueTps.invalid]);
      expect(await page.inputValue('[data-testid=filter-kecamatan]')).toBe('122201');

      await page.selectOption('[data-testid=filter-kecamatan]', '');
      await page.selectOption('[data-testid=filter-flag]', 'near_unanimous');
      await expect.poll(() => queueCodes(page)).toEqual([queueTps.near]);
      expect(page.url()).toContain('tanda=near_unanimous');
      // The longest flag name fits its box, with room for the padding and the arrow (it was cut at 360 px).
      const fits = await page.$eval('[data-testid=filter-flag]', (el) => {
        const select = el as HTMLSelectElement;
        const style = getComputedStyle(select);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        return { text: ctx.measureText(select.selectedOptions[0].text).width, box: select.clientWidth };
      });
      expect(fits.text + 40, JSON.stringify(fits)).toBeLessThanOrEqual(fits.box);
      // Both filters together: nothing near-unanimous in Kotapinang.
      await page.selectOption('[data-testid=filter-kecamatan]', '122201');
      await expect.poll(() => queueCodes(page)).toEqual([]);
      await page.selectOption('[data-testid=filter-kecamatan]', '');
      await page.check('[data-testid=filter-no-photo]');
      await expect.poll(() => queueCodes(page)).toEqual([queueTps.near]);
      expect(page.url()).toContain('foto=tidak');
      await screenshot(page, `verifier-queue-filtered-${size}`);
      expect(await axeFindings(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
