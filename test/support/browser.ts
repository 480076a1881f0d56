import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { SuaraClient, type Role } from '@suara/contracts';
import { ROOT, startServer, type RunningServer } from './server';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** What a file of browser tests runs against: the built service, its admin's API client, one Chromium. */
export interface BrowserSuite {
  server: RunningServer;
  admin: SuaraClient;
  browser: Browser;
  /** Creates a user through the admin and returns that user's signed-in API client. */
  user(username: string, password: string, role: Role, scope?: string[]): Promise<SuaraClient>;
}

/**
 * Registers the file's `beforeAll` / `afterAll`: starts the service (embedded PGlite in a data folder
 * of its own, removed when it stops), signs in its admin, runs `setup` (users, results) and launches
 * Chromium; afterwards closes both. The fields are filled once the file's tests run.
 */
export function browserSuite(setup?: (suite: BrowserSuite) => Promise<unknown>, serverOptions?: Parameters<typeof startServer>[0]): BrowserSuite {
  const suite = {
    async user(username: string, password: string, role: Role, scope?: string[]) {
      await suite.admin.createUser({ username, password, role, scope });
      const client = new SuaraClient(suite.server.url);
      await client.login(username, password);
      return client;
    },
  } as BrowserSuite;
  beforeAll(async () => {
    suite.server = await startServer(serverOptions);
    suite.admin = new SuaraClient(suite.server.url);
    await suite.admin.login(suite.server.adminUser, suite.server.adminPassword);
    await setup?.(suite);
    suite.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}

export const DESKTOP = { width: 1280, height: 900 };
/** The office laptop and the phone the dashboard was tried on (issue 20). */
export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 360, height: 740 };

/**
 * A fresh context. The dashboard's service worker is blocked unless asked for: it would answer
 * requests before `page.route` sees them; the offline tests allow it.
 */
export async function newPage(browser: Browser, viewport = DESKTOP, serviceWorkers: 'allow' | 'block' = 'block'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'id-ID', serviceWorkers });
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the login screen and waits for the role's first screen. */
export async function login(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/#/masuk`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.topbar');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** How many CSS pixels the page is wider than the viewport (0 = no horizontal scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

export function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().innerText();
}

/** Waits until the element's text equals `expected` (numbers change live; no fixed sleeps). */
export async function waitForText(page: Page, selector: string, expected: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent?.trim() === want,
    [selector, expected] as const,
    { timeout },
  );
}

const AXE_SOURCE = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding { id: string; impact: string; help: string; nodes: string[] }

/**
 * Runs axe-core (WCAG 2.x A/AA rules) in the page and returns the serious, critical and moderate
 * findings. The script goes in through the DevTools protocol, so the service's CSP (no inline
 * scripts) stays on as in production.
 */
export async function axeFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Node = { target: string[]; html: string; failureSummary?: string };
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: Node[] }[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return violations
      .filter((v) => ['critical', 'serious', 'moderate'].includes(v.impact))
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)} — ${n.failureSummary ?? ''}`) }));
  });
}
