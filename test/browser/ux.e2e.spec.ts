import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { CHasilForm } from '@suara/contracts';
import { LAPTOP, PHONE, SCREENSHOTS, axeFindings, browserSuite, horizontalOverflow, login, newPage, screenshot, text } from '../support/browser';

/**
 * Issue 20 in Chromium at 1366×768 and 360×740 (built service, embedded PGlite): the honest headline
 * with progress on a phone's first screen, a quick count that says what it covers, region tables
 * an office can filter and sort, the SIMULASI banner before the first login, and axe-core with no
 * serious or moderate finding on any screen. Screenshots land in test-results/screenshots/ux-*.
 */

const PASSWORD = 'Merah-Putih-2024!x';
const KAB = '1222';
const KEC = '122203';
const SIZES = [['1366', LAPTOP], ['360', PHONE]] as const;

let desa: string;
let tpsCodes: string[];

const ppwp = (v1: number, v2: number, v3: number, invalid: number): CHasilForm => ({ votes: { '01': v1, '02': v2, '03': v3 }, valid: v1 + v2 + v3, invalid });

const suite = browserSuite(async ({ admin, user }) => {
  const kec = await admin.region(KEC);
  // the desa of this kecamatan with the most TPS: the long table officials scroll through
  const desas = await Promise.all(kec.children.map((c) => admin.region(c.code)));
  const big = desas.sort((a, b) => b.children.length - a.children.length)[0]!;
  desa = big.code;
  tpsCodes = big.children.map((c) => c.code);
  await admin.createUser({ username: 'pejabat-ux', password: PASSWORD, role: 'official' });
  const verifier = await user('verifikator-ux', PASSWORD, 'verifier');
  const operator = await user('operator-ux', PASSWORD, 'operator', [desa]);
  // TPS 1–3 submitted, TPS 4 flagged (near unanimous), TPS 1 verified; the rest not in yet
  for (const [i, form] of [ppwp(40, 90, 20, 3), ppwp(55, 70, 30, 2), ppwp(25, 110, 15, 4), ppwp(0, 200, 0, 1)].entries()) {
    await operator.submit({ tpsCode: tpsCodes[i]!, ballot: 'PPWP', clientRequestId: `ux-submit-000${i}`, form });
  }
  await verifier.verify(tpsCodes[0]!, 'PPWP', 1);
  await admin.drawSample({ ballot: 'PPWP', size: 12, seed: 'ux-malam' });
});

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const findings = await axeFindings(page);
  expect(findings, `${screen}: ${JSON.stringify(findings, null, 1)}`).toEqual([]);
}

describe('dashboard after issue 20, in Chromium', () => {
  it('tells anyone the phase, and nothing else, before login', async () => {
    const res = await fetch(`${suite.server.url}/api/election/mode`);
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toEqual({ mode: 'simulation' });
  });

  it.each(SIZES)('shows SIMULASI on the login page of a first visit (%s px) and the login page passes axe', async (name, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await page.goto(`${suite.server.url}/#/masuk`);
      await page.waitForSelector('[data-testid=sim-banner]');
      await expect(text(page, '[data-testid=sim-banner]')).resolves.toContain('SIMULASI');
      await expectAccessible(page, 'login');
      await screenshot(page, `ux-login-first-visit-${name}`);
    } finally {
      await context.close();
    }
  });

  it.each(SIZES)('headline says how many TPS are in, progress sits on the first screen, times carry WIB (%s px)', async (name, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'pejabat-ux', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${KAB}/PPWP`);
      await page.waitForSelector('[data-testid=full-count]');
      const tally = await suite.admin.tally(KAB, 'PPWP');
      const total = tally.progress.tpsTotal.toLocaleString('id-ID');
      await expect(text(page, '#full-title')).resolves.toBe(`Hitung penuh — 4 dari ${total} TPS masuk`);
      const progress = await page.locator('[data-testid=progress-summary]').boundingBox();
      expect(progress!.y + progress!.height).toBeLessThanOrEqual(viewport.height);
      await expect(text(page, '[data-testid=progress-summary]')).resolves.toMatch(/4 dari .* TPS masuk/);
      await expect(text(page, '[data-testid=last-update]')).resolves.toMatch(/\d\d\.\d\d WIB$/);
      await page.screenshot({ path: join(SCREENSHOTS, `ux-live-first-screen-${name}.png`) });
      await screenshot(page, `ux-live-kabupaten-${name}`);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await expectAccessible(page, 'rekap kabupaten');
    } finally {
      await context.close();
    }
  });

  it.each(SIZES)('quick count names what it covers and which sample it uses; bars are on a fixed scale (%s px)', async (name, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'pejabat-ux', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${KEC}/PPWP`);
      await page.waitForSelector('[data-testid=qc-scope]');
      await expect(text(page, '[data-testid=qc-scope]')).resolves.toMatch(/Perkiraan tingkat Kabupaten Labuhanbatu Selatan, bukan untuk .*: sampel hanya mewakili seluruh kabupaten/);
      // the full count's bars: width = share of valid votes on a 0–100% scale with the 50% line, never the leader at full width
      const widths = await page.locator('[data-testid=full-count] .bar-fill').evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.width)));
      const tally = await suite.admin.tally(KEC, 'PPWP');
      const leader = Math.max(...Object.values(tally.totals.votes));
      expect(Math.max(...widths)).toBeCloseTo((leader / tally.totals.valid) * 100, 2);
      expect(Math.max(...widths)).toBeLessThan(100);
      await expect(page.locator('[data-testid=full-count] .half-line').count()).resolves.toBe(3);
      await expect(page.locator('[data-testid=quickcount] .ci-half').count()).resolves.toBe(3);
      await screenshot(page, `ux-quickcount-kecamatan-${name}`);
      await expectAccessible(page, 'rekap kecamatan');

      await page.goto(`${suite.server.url}/#/rekap/${KAB}/DPR`);
      await page.waitForSelector('[data-testid=qc-scope]');
      await expect(text(page, '[data-testid=qc-scope]')).resolves.toContain('Sampel: TPS sampel Presiden dan Wakil Presiden');
      await screenshot(page, `ux-quickcount-dpr-${name}`);
      await expectAccessible(page, 'rekap DPR');
    } finally {
      await context.close();
    }
  });

  it.each(SIZES)('region tables filter and sort, keep the name column in view and show level names in the breadcrumbs (%s px)', async (name, viewport) => {
    const { context, page } = await newPage(suite.browser, viewport);
    try {
      await login(page, suite.server.url, 'pejabat-ux', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${desa}/PPWP`);
      await page.waitForSelector(`[data-testid=region-table] tr[data-code="${tpsCodes[0]}"]`);
      const rows = () => page.locator('[data-testid=region-table] tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
      await expect(rows()).resolves.toHaveLength(tpsCodes.length);

      await page.selectOption('[data-testid=table-filter]', 'empty');
      await expect(rows()).resolves.toEqual(tpsCodes.slice(4));
      await page.selectOption('[data-testid=table-filter]', 'flagged');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=region-table] tbody tr').length === 1);
      await expect(rows()).resolves.toEqual([tpsCodes[3]]);
      await page.selectOption('[data-testid=table-filter]', 'verified');
      await expect(rows()).resolves.toEqual([tpsCodes[0]]);
      await page.selectOption('[data-testid=table-filter]', 'all');

      // sort by valid votes, largest first (ties in the printed order), then back
      await page.click('[data-testid=region-table] thead [data-sort=valid]');
      await expect(page.locator('[data-testid=region-table] thead th[aria-sort=descending]').count()).resolves.toBe(1);
      await expect(rows().then((r) => r.slice(0, 4))).resolves.toEqual([tpsCodes[3], tpsCodes[1], tpsCodes[0], tpsCodes[2]]);
      await page.click('[data-testid=region-table] thead [data-sort=valid]');
      await expect(rows().then((r) => r.at(-1))).resolves.toBe(tpsCodes[3]);

      await screenshot(page, `ux-region-table-desa-${name}`);
      // the name column stays put while the numbers scroll sideways
      await expect(page.locator('[data-testid=region-table] tbody th').first().evaluate((e) => getComputedStyle(e).position)).resolves.toBe('sticky');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      if (name === '360') {
        const wrap = page.locator('.table-wrap').first();
        await expect(wrap.evaluate((e) => e.scrollWidth > e.clientWidth)).resolves.toBe(true);
        await wrap.evaluate((e) => (e.scrollLeft = 400));
        const first = await page.locator('[data-testid=region-table] tbody th').first().boundingBox();
        expect(first!.x).toBeGreaterThanOrEqual(0);
      }

      // every ballot tab whole on screen, none cut
      for (const tab of await page.locator('.tabs a').all()) {
        const box = (await tab.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      }
      await expect(text(page, '.crumbs')).resolves.toMatch(/Kab\. Labuhanbatu Selatan\s*›\s*Kec\. \S+/);
      await expectAccessible(page, 'rekap desa');

      await page.goto(`${suite.server.url}/#/rekap/${KEC}/PPWP`);
      await page.waitForSelector(`[data-testid=region-table] tr[data-code="${desa}"]`);
      await page.selectOption('[data-testid=table-filter]', 'flagged');
      await page.waitForSelector(`[data-testid=region-table] tr[data-code="${desa}"] .s-flagged`);
      await expect(rows()).resolves.toEqual([desa]);
      await screenshot(page, `ux-region-table-kecamatan-flagged-${name}`);
    } finally {
      await context.close();
    }
  });

  it.each(SIZES)('every screen has no serious or moderate axe-core finding (%s px)', async (name, viewport) => {
    const official = await newPage(suite.browser, viewport);
    const verifier = await newPage(suite.browser, viewport);
    const operator = await newPage(suite.browser, viewport);
    try {
      const o = official.page;
      await login(o, suite.server.url, 'pejabat-ux', PASSWORD);
      await o.goto(`${suite.server.url}/#/tps/${tpsCodes[3]}/PPWP`);
      await o.waitForSelector('[data-testid=timeline]');
      await screenshot(o, `ux-tps-detail-${name}`);
      await expectAccessible(o, 'TPS detail');
      await o.goto(`${suite.server.url}/#/segel`);
      await o.waitForSelector('[data-testid=seal]');
      await expectAccessible(o, 'segel');

      const v = verifier.page;
      await login(v, suite.server.url, 'verifikator-ux', PASSWORD);
      await v.waitForSelector('[data-testid=queue] .queue-item');
      await v.click('[data-testid=queue] .queue-item');
      await v.waitForSelector('[data-testid=result-panel] [data-testid=result-status]');
      await screenshot(v, `ux-verifier-${name}`);
      await expectAccessible(v, 'verifier queue');

      const p = operator.page;
      await login(p, suite.server.url, 'operator-ux', PASSWORD);
      await p.waitForSelector(`[data-tps="${tpsCodes[5]}"] a[data-ballot=PPWP]`);
      await expectAccessible(p, 'operator list');
      await p.click(`[data-tps="${tpsCodes[5]}"] a[data-ballot=PPWP]`);
      await p.waitForSelector('input[name="votes.01"]');
      await screenshot(p, `ux-operator-form-${name}`);
      await expectAccessible(p, 'operator form');
    } finally {
      await official.context.close();
      await verifier.context.close();
      await operator.context.close();
    }
  }, 120_000);
});
