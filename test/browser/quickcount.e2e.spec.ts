import { describe, expect, it } from 'vitest';
import { desaOf, SuaraClient } from '@suara/contracts';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * The quick count as officials and the admin see it in Chromium (built service, embedded PGlite): the
 * planner on the admin's sample page before the draw, then the estimate on a fixed scale with the 50% line, the full count beside
 * it, the call "unggul secara statistik sejak 19.42 WIB (n TPS sampel)", the kabupaten label on a
 * kecamatan's page, and the Pileg dapils with their seat ranges.
 */

const PASSWORD = 'Uji-Sandi-Kuat-2024';
const PARTIES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '24'];

const suite = browserSuite(({ admin }) => admin.createUser({ username: 'pejabat-qc', password: PASSWORD, role: 'official' }));

describe('quick count in Chromium', () => {
  it('shows the admin the planner before the draw: the margin follows the size chosen', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, suite.server.adminUser, suite.server.adminPassword);
      await page.goto(`${suite.server.url}/#/rekap/1222/PPWP`);
      await page.click('[data-testid=qc-draw-link]');
      await page.waitForSelector('[data-testid=sample-none]');
      await page.waitForSelector('[data-testid=sample-planner] [data-testid=planner-moe]');
      const at200 = await text(page, '[data-testid=planner-moe] strong');
      await page.fill('[data-testid=planner-size]', '500');
      await page.waitForFunction((before) => document.querySelector('[data-testid=planner-moe] strong')?.textContent !== before, at200);
      const at500 = await text(page, '[data-testid=planner-moe] strong');
      const pct = (s: string) => Number(s.replace(/[^0-9,]/g, '').replace(',', '.'));
      expect(pct(at500)).toBeLessThan(pct(at200));
      await expect(page.locator('[data-testid=planner-curve] tr.chosen').innerText()).resolves.toContain('500');
      await screenshot(page, 'admin-sample-planner-1280');
    } finally {
      await context.close();
    }
  });

  it('calls the leader once the sample is in, with the 50% line, the full count and the kabupaten label', async () => {
    const sample = await suite.admin.drawSample({ ballot: 'PPWP', size: 20, seed: 'malam-chromium' });
    const operator = new SuaraClient(suite.server.url);
    await suite.admin.createUser({ username: 'operator-qc', password: PASSWORD, role: 'operator', scope: [...new Set(sample.tpsCodes.map(desaOf))] });
    await operator.login('operator-qc', PASSWORD);
    for (const [i, tps] of sample.tpsCodes.entries()) {
      const votes = { '01': 40 + (i % 9), '02': 150 + (i % 11), '03': 12 + (i % 5) };
      await operator.submit({ tpsCode: tps, ballot: 'PPWP', clientRequestId: `qc-chromium-${i}`, form: { votes, valid: votes['01'] + votes['02'] + votes['03'], invalid: 2 } });
      const parties = Object.fromEntries(PARTIES.map((p, k) => [p, { party: p === '2' ? 70 + (i % 6) : p === '5' ? 45 : 4 + ((i + k) % 5), candidates: {} }]));
      await operator.submit({ tpsCode: tps, ballot: 'DPRD_KAB', clientRequestId: `qc-chromium-kab-${i}`, form: { votes: parties, valid: Object.values(parties).reduce((a, v) => a + v.party, 0), invalid: 3 } });
    }
    const { context, page } = await newPage(suite.browser, DESKTOP);
    try {
      await login(page, suite.server.url, 'pejabat-qc', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/1222/PPWP`);
      await waitForText(page, '[data-testid=qc-received]', `${sample.size} dari ${sample.size} TPS sampel masuk`);
      const call = await page.waitForSelector('[data-testid=qc-call]');
      expect(await call.innerText()).toMatch(/Prabowo-Gibran di atas 50% dan unggul secara statistik sejak \d\d\.\d\d WIB \(\d+ TPS sampel\)/);
      await expect(page.locator('[data-testid=qc-scope]').innerText()).resolves.toContain('Perkiraan tingkat Kabupaten Labuhanbatu Selatan');
      await expect(page.locator('[data-testid=quickcount] .ci-half').count()).resolves.toBe(3);
      await page.waitForSelector('[data-testid=qc-diff]');
      await expect(page.locator('[data-testid=qc-diff]').first().innerText()).resolves.toMatch(/Hitung penuh sejauh ini .*% · selisih perkiraan [+−][0-9,]+ poin/);
      await screenshot(page, 'official-quickcount-call-1280');

      await page.goto(`${suite.server.url}/#/rekap/122203/PPWP`);
      await page.waitForSelector('[data-testid=qc-scope]');
      await expect(page.locator('[data-testid=qc-scope]').innerText()).resolves.toMatch(/Kabupaten Labuhanbatu Selatan, bukan untuk Torgamba/);

      await page.goto(`${suite.server.url}/#/rekap/1222/DPRD_KAB`);
      await page.waitForSelector('[data-testid=qc-dapil]');
      await expect(page.locator('[data-testid=qc-scope]').innerText()).resolves.toContain('Sampel: TPS sampel Presiden dan Wakil Presiden');
      await expect(page.locator('[data-testid=qc-dapil]').count()).resolves.toBe(5);
      await page.locator('[data-testid=qc-dapil] summary').first().click();
      await expect(page.locator('[data-testid=qc-dapil]').first().innerText()).resolves.toContain('Proyeksi kursi (sementara, bukan hasil resmi)');
      await expect(page.locator('[data-testid=qc-seats]').count()).resolves.toBeGreaterThan(0);
    } finally {
      await context.close();
    }
    const phone = await newPage(suite.browser, PHONE);
    try {
      await login(phone.page, suite.server.url, 'pejabat-qc', PASSWORD);
      await phone.page.goto(`${suite.server.url}/#/rekap/1222/PPWP`);
      await phone.page.waitForSelector('[data-testid=qc-call]');
      expect(await horizontalOverflow(phone.page)).toBeLessThanOrEqual(0);
      await screenshot(phone.page, 'official-quickcount-call-360');
    } finally {
      await phone.context.close();
    }
  });
});
