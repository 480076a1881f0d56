import { describe, expect, it } from 'vitest';
import type { SuaraClient } from '@suara/contracts';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot } from '../support/browser';

/**
 * The real C.Hasil in Chromium (issue 15): an operator on a 360 px phone types a paper whose KPPS
 * added up wrong, sees the problems, confirms "angka ini sesuai yang tertulis di formulir" and sends
 * it as written; the verifier finds it first, marked, and enters another TPS on behalf of its operator.
 */

const PASSWORD = 'Uji-Sandi-Kuat-2024';
const DESA = '1222022002';
const TPS_SLIP = `${DESA}001`;
const TPS_ON_BEHALF = `${DESA}002`;

let verifierApi: SuaraClient;

const suite = browserSuite(async ({ admin, user }) => {
  await admin.createUser({ username: 'operator-kertas', password: PASSWORD, role: 'operator', scope: [DESA] });
  verifierApi = await user('verifikator-kertas', PASSWORD, 'verifier');
});

describe('the real C.Hasil in Chromium', () => {
  it('an operator at 360 px sends a paper that does not add up, as written, after confirming it', async () => {
    const { context, page } = await newPage(suite.browser, PHONE);
    try {
      await login(page, suite.server.url, 'operator-kertas', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${TPS_SLIP}/PPWP`);
      await page.waitForSelector('[data-testid=chasil-form]');
      // Section I is there, part by part, collapsed until opened.
      for (const s of ['section-registered', 'section-voted', 'section-disabled', 'section-notes']) {
        expect(await page.getAttribute(`[data-testid=${s}]`, 'open')).toBeNull();
      }
      await page.fill('input[name="votes.01"]', '50');
      await page.fill('input[name="votes.02"]', '120');
      await page.fill('input[name="votes.03"]', '10');
      await page.fill('input[name=valid]', '181'); // the KPPS's slip: 180 on the paper
      await page.fill('input[name=invalid]', '4');
      await page.click('[data-testid=section-registered] summary');
      await page.fill('input[name="administrasi.registered.dpt.l"]', '140');
      await page.fill('input[name="administrasi.registered.dpt.p"]', '141');
      await page.click('[data-testid=section-voted] summary');
      await page.fill('input[name="administrasi.voted.dpt.l"]', '92');
      await page.fill('input[name="administrasi.voted.dpt.p"]', '93');

      const offer = page.locator('[data-testid=as-written-offer]');
      await offer.waitFor();
      expect(await offer.innerText()).toMatch(/jumlah suara sah 181 tidak sama dengan total suara 180/);
      expect(await page.isDisabled('[data-testid=review]')).toBe(true);
      await screenshot(page, 'real-form-as-written-offer-360');
      expect(await horizontalOverflow(page)).toBe(0);

      await page.check('[data-testid=as-written]');
      await page.waitForSelector('[data-testid=check-as-written]');
      await page.click('[data-testid=review]');
      await page.waitForSelector('[data-testid=confirm] [data-testid=as-written]');
      await screenshot(page, 'real-form-as-written-confirm-360');
      await page.click('[data-testid=send]');
      await page.waitForSelector('[data-testid=done]');
    } finally {
      await context.close();
    }

    const stored = await verifierApi.result(TPS_SLIP, 'PPWP');
    expect(stored.form).toMatchObject({ valid: 181, asWritten: true, voters: { dpt: 281, voted: 185 } });
    expect(stored.flags.filter((f) => f.code === 'inconsistent_as_written').map((f) => f.path)).toEqual(['form.valid']);
  });

  it('a verifier sees it marked first in the queue and enters another TPS on behalf of its operator', async () => {
    const { context, page } = await newPage(suite.browser, DESKTOP);
    try {
      await login(page, suite.server.url, 'verifikator-kertas', PASSWORD);
      await page.goto(`${suite.server.url}/#/verifikasi/PPWP`);
      await page.waitForSelector(`[data-testid=queue] li:first-child [data-tps="${TPS_SLIP}"] [data-testid=badge-as-written]`);

      await page.goto(`${suite.server.url}/#/tps/${TPS_ON_BEHALF}/PPWP`);
      await page.click('[data-testid=enter-on-behalf]');
      await page.fill('[data-testid=on-behalf-form] input[name="votes.01"]', '30');
      await page.fill('[data-testid=on-behalf-form] input[name="votes.02"]', '60');
      await page.fill('[data-testid=on-behalf-form] input[name="votes.03"]', '10');
      await page.fill('[data-testid=on-behalf-form] input[name=valid]', '100');
      await page.fill('[data-testid=on-behalf-form] input[name=invalid]', '2');
      expect(await page.isDisabled('[data-testid=save-on-behalf]')).toBe(true); // no reason yet
      await page.fill('textarea[name=onBehalfReason]', 'HP operator rusak, angka dibacakan KPPS lewat telepon');
      await page.click('[data-testid=save-on-behalf]');
      await page.waitForSelector('[data-testid=badge-on-behalf]');
      await screenshot(page, 'real-form-on-behalf-1280');
    } finally {
      await context.close();
    }
    const [entry] = await verifierApi.history(TPS_ON_BEHALF, 'PPWP');
    expect(entry).toMatchObject({ by: { username: 'verifikator-kertas', role: 'verifier' }, data: { onBehalf: { reason: expect.stringContaining('HP operator rusak') } } });
  });
});
