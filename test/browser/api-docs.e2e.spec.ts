import { describe, expect, it } from 'vitest';
import { SuaraClient } from '@suara/contracts';
import { browserSuite, newPage } from '../support/browser';

/**
 * `/api/docs` in Chromium against the real service: Swagger UI renders every operation of
 * `/api/openapi.json` under the app's CSP, loads nothing from another origin, and "Try it out"
 * with a token reaches the API.
 */
const suite = browserSuite();

describe('the API docs page in Chromium', () => {
  it('renders every operation under the CSP, from this server only, and tries a call with a token', async () => {
    const spec = (await (await fetch(`${suite.server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const { context, page } = await newPage(suite.browser);
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('data:')) origins.add(new URL(r.url()).origin); });
    try {
      await page.goto(`${suite.server.url}/api/docs`);
      await page.waitForSelector('.opblock');
      expect(await page.locator('.opblock').count()).toBe(operations);
      expect(await page.locator('.information-container .title').textContent()).toContain('suara');

      // Authorize with a real token, then call GET /api/me from the page.
      const admin = new SuaraClient(suite.server.url);
      await admin.login(suite.server.adminUser, suite.server.adminPassword);
      await page.click('button.authorize');
      await page.fill('.auth-container input[type=text], .auth-container input:not([type])', admin.token!);
      await page.click('.auth-btn-wrapper button.authorize');
      await page.click('.btn-done');
      const me = page.locator('.opblock-get', { has: page.locator('[data-path="/api/me"]') }).first();
      await me.locator('.opblock-summary').click();
      await me.locator('button.try-out__btn').click();
      await me.locator('button.execute').click();
      await expect.poll(() => me.locator('.live-responses-table tbody .response-col_status').first().textContent()).toContain('200');
      expect(await me.locator('.live-responses-table .microlight').first().textContent()).toContain(suite.server.adminUser);

      expect([...origins]).toEqual([suite.server.url]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
