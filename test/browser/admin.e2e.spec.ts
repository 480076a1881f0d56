import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { REPORT_NOTICE, SuaraClient } from '@suara/contracts';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * The admin screens in Chromium (built service, embedded PGlite): bulk import with a wrong line
 * shown and nothing created, then the import that works; a password reset shown once; the audit log
 * filtered; the phase switch that needs the typed confirmation; the recap's exports from the server
 * and the recap printed on A4 with the notice and without navigation.
 */

const PASSWORD = 'Merah-Putih-2024!x';
const KAB = '1222';

const suite = browserSuite(({ admin }) => admin.createUser({ username: 'pejabat-admin-e2e', password: PASSWORD, role: 'official' }));

describe('admin screens in Chromium', () => {
  it('bulk-imports operators: a bad line is shown and nothing created; the corrected file creates them with passwords shown once', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page } = await newPage(suite.browser, viewport);
      try {
        const suffix = viewport === PHONE ? 'hp' : 'pc';
        await login(page, suite.server.url, suite.server.adminUser, suite.server.adminPassword);
        await page.click('nav[aria-label="Navigasi utama"] >> text=Administrasi');
        await page.waitForSelector('[data-testid=users-table]');
        await page.fill('[data-testid=import-text]', `username;desa_code;password\nop_${suffix}_a;1222011001;\nop_${suffix}_b;12.22.01.9999;\n`);
        await page.click('[data-testid=import-run]');
        await page.waitForSelector('[data-testid=import-issues]');
        const issues = await text(page, '[data-testid=import-issues]');
        expect(issues).toContain('baris 3');
        expect(issues).toContain('desa_code 1222019999 tidak dikenal');
        expect(await page.locator(`[data-username=op_${suffix}_a]`).count()).toBe(0);
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `admin-import-error-${viewport.width}`);

        await page.fill('[data-testid=import-text]', `username;desa_code;password\nop_${suffix}_a;1222011001;\nop_${suffix}_b;1222012002;\n`);
        await page.click('[data-testid=import-run]');
        await page.waitForSelector('[data-testid=import-created]');
        const created = await page.locator('[data-testid=import-created] tbody tr').allInnerTexts();
        expect(created).toHaveLength(2);
        const password = created[1].split('\t').at(-1)!.trim();
        await page.waitForSelector(`[data-username=op_${suffix}_b]`);
        const operator = new SuaraClient(suite.server.url);
        await operator.login(`op_${suffix}_b`, password);
        expect((await operator.me()).scope).toEqual(['1222012002']);
      } finally {
        await context.close();
      }
    }
  });

  it('resets a password showing the new one once, and filters the audit log', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, suite.server.adminUser, suite.server.adminPassword);
      await page.goto(`${suite.server.url}/#/admin/pengguna`);
      page.on('dialog', (d) => void d.accept());
      await page.click('[data-username=pejabat-admin-e2e] >> text=Atur ulang sandi');
      await page.waitForSelector('[data-testid=password-once]');
      const password = await text(page, '[data-testid=password-value]');
      await screenshot(page, 'admin-password-once-1280');
      const official = new SuaraClient(suite.server.url);
      await official.login('pejabat-admin-e2e', password);
      await page.click('[data-testid=password-once] >> text=Sudah dicatat, tutup');
      expect(await page.locator('[data-testid=password-once]').count()).toBe(0);

      await page.click('[data-testid=admin-tab-audit]');
      await page.waitForSelector('[data-testid=audit-row]');
      await page.selectOption('[data-testid=audit-action]', 'password_reset');
      await page.click('[data-testid=audit-apply]');
      await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=audit-row]')).every((r) => r.textContent?.includes('Kata sandi diatur ulang')));
      expect(await page.locator('[data-testid=audit-row]').count()).toBe(1);
      await screenshot(page, 'admin-audit-1280');
    } finally {
      await context.close();
    }
  });

  it('downloads the recap from the server as PDF, Excel and CSV, and prints it on A4 with the notice and no navigation', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'pejabat-admin-e2e', (await resetFor('pejabat-admin-e2e')));
      await page.goto(`${suite.server.url}/#/rekap/${KAB}/PPWP`);
      await page.waitForSelector('[data-testid=region-table]');
      const tally = await suite.admin.tally(KAB, 'PPWP');

      const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-pdf]')]);
      expect(pdf.suggestedFilename()).toMatch(/^rekap-PPWP-1222-.*-simulasi\.pdf$/);
      const parser = new PDFParse({ data: new Uint8Array(readFileSync((await pdf.path())!)) });
      const pdfText = (await parser.getText()).text;
      await parser.destroy();
      expect(pdfText).toContain(REPORT_NOTICE);
      expect(pdfText).toContain('Dibuat oleh pejabat-admin-e2e');

      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')]);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(readFileSync((await xlsx.path())!) as unknown as ArrayBuffer);
      const names: unknown[] = [];
      wb.getWorksheet('Rekap')!.eachRow((row) => names.push(row.getCell(2).value));
      for (const child of tally.children) expect(names).toContain(child.name);

      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
      const csvText = readFileSync((await csv.path())!, 'utf8');
      expect(csvText.charCodeAt(0)).toBe(0xfeff);
      expect(csvText).toContain('Kode;Kecamatan;Jumlah TPS');

      const [entry] = await suite.admin.audit({ action: 'report_exported', actor: 'pejabat-admin-e2e', limit: 5 });
      expect(entry).toMatchObject({ target: KAB, detail: { format: 'csv' } });

      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.topbar').isVisible()).toBe(false);
      expect(await page.locator('[data-testid=export-pdf]').isVisible()).toBe(false);
      const notice = await page.locator('[data-testid=internal-notice]').evaluate((el) => getComputedStyle(el, '::before').content);
      expect(notice).toContain('BUKAN HASIL RESMI KPU');
      const printed = await page.pdf({ format: 'A4' });
      const printParser = new PDFParse({ data: new Uint8Array(printed) });
      const pages = (await printParser.getText()).pages;
      await printParser.destroy();
      for (const p of pages) {
        expect(p.text).toContain('BUKAN HASIL RESMI KPU');
        expect(p.text).toContain('SIMULASI');
      }
      await screenshot(page, 'recap-print-1280');
    } finally {
      await context.close();
    }
  });

  it('loads master data from the folder\'s files: every bad line shown in a table and nothing loaded, then the right files as a new version', async () => {
    const folder = join(__dirname, '../../services/election-data/labusel-2024');
    const files = (change: Record<string, (t: string) => string> = {}) => ['regions.csv', 'tps.csv', 'parties.csv', 'paslon.csv', 'dapils.csv', 'candidates.csv'].map((name) => {
      const content = readFileSync(join(folder, name), 'utf8');
      return { name, mimeType: 'text/csv', buffer: Buffer.from(change[name]?.(content) ?? content) };
    });
    const { context, page } = await newPage(suite.browser, PHONE);
    try {
      await login(page, suite.server.url, suite.server.adminUser, suite.server.adminPassword);
      await page.goto(`${suite.server.url}/#/admin/fase`);
      await waitForText(page, '[data-testid=master-data-version] strong', '1');
      await page.setInputFiles('[data-testid=master-data-files]', files({
        'tps.csv': (t) => t.replace('1222011001002,12.22.01.1001,2,', '1222011001002,12.22.01.1001,0,'),
        'parties.csv': (t) => t.replace('1,Partai Kebangkitan Bangsa,PKB', '1,Partai Kebangkitan Bangsa,'),
      }));
      await page.click('[data-testid=master-data-load]');
      await page.waitForSelector('[data-testid=master-data-problems]');
      const rows = await page.locator('[data-testid=master-data-problems] tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t').slice(0, 3).join(' '))).toEqual(['tps.csv 3 tps_no', 'parties.csv 2 short_name']);
      expect((await suite.admin.election()).masterDataVersion).toBe(1);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'admin-master-data-problems-360');

      await page.setInputFiles('[data-testid=master-data-files]', files());
      await page.click('[data-testid=master-data-load]');
      await page.waitForSelector('[data-testid=master-data-message].ok');
      expect(await text(page, '[data-testid=master-data-message]')).toContain('Data induk versi 2 dimuat: 1025 TPS, 7 dapil');
      await waitForText(page, '[data-testid=master-data-version] strong', '2');
      expect(await page.locator('[data-testid=master-data-problems]').count()).toBe(0);
      expect((await suite.admin.election()).activeElectionId).toBe('labusel-2024-sim2');
    } finally {
      await context.close();
    }
  });

  it('switches from the simulation to the real election only after the typed confirmation', async () => {
    const { context, page } = await newPage(suite.browser, PHONE);
    try {
      await login(page, suite.server.url, suite.server.adminUser, suite.server.adminPassword);
      await page.goto(`${suite.server.url}/#/admin/fase`);
      await waitForText(page, '[data-testid=phase-now] strong', 'SIMULASI (latihan)');
      expect(await page.locator('[data-testid=phase-switch]').isDisabled()).toBe(true);
      await page.fill('[data-testid=phase-confirm]', 'mulai');
      expect(await page.locator('[data-testid=phase-switch]').isDisabled()).toBe(true);
      expect((await suite.admin.election()).mode).toBe('simulation');
      await page.fill('[data-testid=phase-confirm]', 'MULAI PEMILU');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'admin-phase-360');
      await page.click('[data-testid=phase-switch]');
      await waitForText(page, '[data-testid=phase-now] strong', 'Pemilu sungguhan');
      expect((await suite.admin.election()).mode).toBe('real');
      expect(await page.locator('[data-testid=sim-banner]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

/** A fresh password for a user (the reset test changed it), set through the API. */
async function resetFor(username: string): Promise<string> {
  const user = (await suite.admin.users()).find((u) => u.username === username)!;
  await suite.admin.resetPassword(user.id, PASSWORD);
  return PASSWORD;
}
