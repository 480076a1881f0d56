import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SuaraClient } from '@suara/contracts';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * Pileg by dapil in Chromium (built service, embedded PGlite): the kabupaten's DPRD Kab page shows
 * party totals with a per-dapil breakdown and no candidate sums; the dapil switcher shows one
 * dapil's party bars, its candidates by name and the seat projection with its label.
 */

const PASSWORD = 'Uji-Sandi-Kuat-2024';
const suite = browserSuite(async ({ admin, user }) => {
  await admin.createUser({ username: 'pejabat-dapil', password: PASSWORD, role: 'official' });
  const operator = await user('operator-dapil', PASSWORD, 'operator', ['1222011001', '1222022001']);
  // Candidate 1 of party 2 is one person in Kotapinang (dapil 01) and another in Kampung Rakyat (dapil 02).
  const forms = [
    ['1222011001001', { '2': { party: 10, candidates: { '1': 60 } }, '5': { party: 5, candidates: { '2': 25 } } }],
    ['1222022001001', { '2': { party: 4, candidates: { '1': 9 } }, '5': { party: 20, candidates: { '2': 50 } } }],
  ] as const;
  for (const [i, [tps, votes]] of forms.entries()) {
    const valid = Object.values(votes).reduce((a, v) => a + v.party + Object.values(v.candidates as Record<string, number>).reduce((x, y) => x + y, 0), 0);
    await operator.submit({ tpsCode: tps, ballot: 'DPRD_KAB', clientRequestId: `dapil-chromium-${i}`, form: { votes, valid, invalid: 1 } });
  }
});

const waitForIncludes = (page: Page, selector: string, part: string) =>
  page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent?.includes(want) ?? false, [selector, part] as const, { timeout: 30_000 });

describe('Pileg by dapil in Chromium', () => {
  for (const [label, viewport] of [['360', PHONE], ['1280', DESKTOP]] as const) {
    it(`at ${label} px: per-dapil party totals on the kabupaten, then one dapil's candidates and seat projection`, async () => {
      const { context, page } = await newPage(suite.browser, viewport);
      try {
        await login(page, suite.server.url, 'pejabat-dapil', PASSWORD);
        await page.goto(`${suite.server.url}/#/rekap/1222/DPRD_KAB`);
        await page.waitForSelector('[data-testid=by-dapil] tbody tr');
        const breakdown = await text(page, '[data-testid=by-dapil]');
        expect(breakdown).toContain('Kotapinang');
        expect(breakdown).toContain('70'); // party 2 in dapil 01: 10 + 60
        // The kabupaten lists no candidate sums: "candidate 1 of party 2" is two people here.
        expect(await page.locator('[data-testid=full-count] .party-detail').first().textContent()).toContain('Suara calon dihitung per dapil');

        await waitForIncludes(page, '[data-testid=dapil-progress]', '1 dari 202 TPS');
        await expect(text(page, '[data-testid=dapil-candidates]')).resolves.toMatch(/1\. Calon .*\(contoh\)/);
        await expect(text(page, '[data-testid=seat-projection]')).resolves.toContain('proyeksi kursi (sementara, bukan hasil resmi)');
        await screenshot(page, `dapil-kabupaten-${label}`);

        await page.selectOption('[data-testid=dapil-select]', 'DPRD-LABUSEL-02');
        await waitForIncludes(page, '[data-testid=dapil-progress]', '1 dari 203 TPS');
        // Dapil 02: party 5 has 70 votes, party 2 has 13; 7 seats go to 70, 23.3, 14, then party 2's 13, then 10, 7.8, 6.4.
        await waitForText(page, '[data-testid=seats-5]', '6');
        await expect(text(page, '[data-testid=seats-2]')).resolves.toBe('1');
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `dapil-02-${label}`);
      } finally {
        await context.close();
      }
    });
  }
});
