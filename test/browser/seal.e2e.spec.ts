import { describe, expect, it } from 'vitest';
import type { SuaraClient } from '@suara/contracts';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * The seal screen (#/segel) in Chromium: an official sees the public key and the latest signed
 * seal exactly as the API gives them, seals now after new results and sees the larger tree, and
 * can read it all on a 360 px phone (printing it is the point).
 */

const PASSWORD = 'Uji-Sandi-Kuat-2024';
const DESA = '1222022001';

let official: SuaraClient;
let operator: SuaraClient;

const suite = browserSuite(async ({ user }) => {
  official = await user('pejabat-segel', PASSWORD, 'official');
  operator = await user('operator-segel', PASSWORD, 'operator', [DESA]);
}, { env: { SUARA_SEAL_INTERVAL: '3600' } });

const submit = (n: number) =>
  operator.submit({ tpsCode: `${DESA}${String(n).padStart(3, '0')}`, ballot: 'PPWP', clientRequestId: `segel-e2e-${n}`, form: { votes: { '01': n, '02': 2, '03': 3 }, valid: n + 5, invalid: 1 } });

describe('the seal screen in Chromium', () => {
  it('shows the signed seal the API gives, and a new one after "Segel sekarang"', async () => {
    await submit(1);
    const first = await official.sealNow();
    const { context, page } = await newPage(suite.browser, DESKTOP);
    try {
      await login(page, suite.server.url, 'pejabat-segel', PASSWORD);
      await page.goto(`${suite.server.url}/#/segel`);
      await waitForText(page, '[data-testid=seal-root]', first.root);
      await expect(text(page, '[data-testid=seal-public-key]')).resolves.toBe(`Ed25519 ${first.publicKey}`);
      await expect(text(page, '[data-testid=seal-text]')).resolves.toContain(first.signature);

      await submit(2);
      await page.getByRole('button', { name: 'Segel sekarang' }).click();
      const latest = await eventuallyLatest(first.treeSize);
      await waitForText(page, '[data-testid=seal-root]', latest.root);
      await waitForText(page, '[data-testid=seal-tree-size]', latest.treeSize.toLocaleString('id-ID'));
      await screenshot(page, 'seal-desktop');
    } finally {
      await context.close();
    }
  });

  it('reads on a 360 px phone without sideways scrolling', async () => {
    const { context, page } = await newPage(suite.browser, PHONE);
    try {
      await login(page, suite.server.url, 'pejabat-segel', PASSWORD);
      await page.goto(`${suite.server.url}/#/segel`);
      await page.waitForSelector('[data-testid=seal-root]');
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'seal-360');
    } finally {
      await context.close();
    }
  });
});

/** The latest seal once it covers more events than `before` (the button's seal). */
async function eventuallyLatest(before: number) {
  for (let i = 0; i < 100; i++) {
    const { latest } = await official.seals();
    if (latest && latest.treeSize > before) return latest;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no newer seal');
}
