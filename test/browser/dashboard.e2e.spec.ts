import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { kecamatanOf, REPORT_NOTICE, SuaraClient, type Ballot, type CHasilForm } from '@suara/contracts';
import { startServer } from '../support/server';
import { DESKTOP, PHONE, browserSuite, horizontalOverflow, login, newPage, screenshot, text, waitForText } from '../support/browser';

/**
 * The dashboard in Debian's Chromium against the real service (built `services/dist`, embedded
 * PGlite): operators submit through the form, officials watch totals move over the socket,
 * verifiers correct with an audit trail, and nobody sees what their role may not.
 */

const PASSWORD = 'kata-sandi-uji-1';
const KAB = '1222';
// Small desa (2–4 TPS each), one per scenario so the scenarios do not touch each other's numbers.
const DESA_LIVE = '1222022003';
const DESA_CORRECT = '1222022004';
const DESA_OFFLINE = '1222032002';
const DESA_PHONE = '1222012008';
const DESA_RECONNECT = '1222032002';

// Kept across a restart of the service (the reconnect scenario), removed at the end.
const dataDir = mkdtempSync(join(tmpdir(), 'suara-browser-'));
const user = (username: string, role: 'official' | 'verifier' | 'operator', scope?: string[]) => suite.user(username, PASSWORD, role, scope);

const ppwp = (v1: number, v2: number, v3: number, invalid: number): CHasilForm => ({
  votes: { '01': v1, '02': v2, '03': v3 }, valid: v1 + v2 + v3, invalid,
});

const toNumber = (s: string) => Number(s.replace(/\./g, '').trim());

const suite = browserSuite(() => Promise.all([
  user('pejabat', 'official'),
  user('verifikator', 'verifier'),
  user('verifikator2', 'verifier'),
  user('operator-live', 'operator', [DESA_LIVE]),
  user('operator-koreksi', 'operator', [DESA_CORRECT]),
  user('operator-offline', 'operator', [DESA_OFFLINE]),
  user('operator-hp', 'operator', [DESA_PHONE]),
  user('operator-sambung', 'operator', [DESA_RECONNECT]),
]), { dataDir });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function fillPpwp(page: Page, f: { v1: number; v2: number; v3: number; invalid: number }) {
  await page.fill('input[name="votes.01"]', String(f.v1));
  await page.fill('input[name="votes.02"]', String(f.v2));
  await page.fill('input[name="votes.03"]', String(f.v3));
  await page.fill('input[name=valid]', String(f.v1 + f.v2 + f.v3));
  await page.fill('input[name=invalid]', String(f.invalid));
}

describe('dashboard in Chromium', () => {
  it('an operator submits through the form and the official\'s open dashboard shows the new totals without reload', async () => {
    const official = await newPage(suite.browser);
    const operator = await newPage(suite.browser, PHONE);
    try {
      const o = official.page;
      await login(o, suite.server.url, 'pejabat', PASSWORD);
      await o.goto(`${suite.server.url}/#/rekap/${KAB}/PPWP`);
      await o.waitForSelector('[data-testid=valid-total]');
      await waitForText(o, '[data-testid=connection]', 'Terhubung');
      await expect(o.locator('[data-testid=sim-banner]').isVisible()).resolves.toBe(true);
      await expect(text(o, '[data-testid=internal-notice]')).resolves.toBe('Data pemantauan internal — bukan hasil resmi KPU');
      const before = {
        valid: toNumber(await text(o, '[data-testid=valid-total]')),
        v02: toNumber(await text(o, '[data-testid=votes-02]')),
      };
      await o.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

      const p = operator.page;
      await login(p, suite.server.url, 'operator-live', PASSWORD);
      await p.waitForSelector(`[data-tps="${DESA_LIVE}001"] a[data-ballot=PPWP]`);
      await screenshot(p, 'operator-tps-list-360');
      await p.click(`[data-tps="${DESA_LIVE}001"] a[data-ballot=PPWP]`);
      await fillPpwp(p, { v1: 41, v2: 103, v3: 17, invalid: 4 });
      await p.waitForSelector('[data-testid=check-ok]');
      await screenshot(p, 'operator-form-360');
      await p.click('[data-testid=review]');
      await expect(text(p, '[data-testid=confirm]')).resolves.toContain('Data tidak dapat diubah setelah dikirim');
      await screenshot(p, 'operator-confirm-360');
      await p.click('[data-testid=send]');
      await p.waitForSelector('[data-testid=done]');
      await screenshot(p, 'operator-sent-360');

      await waitForText(o, '[data-testid=valid-total]', String(before.valid + 161));
      await waitForText(o, '[data-testid=votes-02]', String(before.v02 + 103));
      await expect(o.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe('same page');
      await expect(o.url()).toContain(`#/rekap/${KAB}/PPWP`);
      await screenshot(o, 'official-live-1280');

      // Drill down kabupaten → kecamatan → desa → TPS, still live.
      await o.click(`[data-testid=region-table] tr[data-code="${kecamatanOf(DESA_LIVE)}"] a`);
      await o.waitForSelector(`[data-testid=region-table] tr[data-code="${DESA_LIVE}"]`);
      await o.click(`[data-testid=region-table] tr[data-code="${DESA_LIVE}"] a`);
      await o.waitForSelector(`[data-testid=region-table] tr[data-code="${DESA_LIVE}001"]`);
      await expect(text(o, `[data-testid=region-table] tr[data-code="${DESA_LIVE}001"]`)).resolves.toContain('Menunggu verifikasi');
      await expect(text(o, '[data-testid=valid-total]')).resolves.toBe('161');
      await expect(text(o, '.crumbs')).resolves.toContain('Kab. Labuhanbatu Selatan');
      await o.click(`[data-testid=region-table] tr[data-code="${DESA_LIVE}001"] a`);
      await o.waitForSelector('[data-testid=timeline]');
      await expect(text(o, '[data-testid=timeline]')).resolves.toContain('operator-live');
      await screenshot(o, 'official-tps-detail-1280');
    } finally {
      await official.context.close();
      await operator.context.close();
    }
  });

  it('a verifier corrects a result and the timeline shows old → new with reason and confirmation', async () => {
    const operator = new SuaraClient(suite.server.url);
    await operator.login('operator-koreksi', PASSWORD);
    const tps = `${DESA_CORRECT}001`;
    await operator.submit({ tpsCode: tps, ballot: 'PPWP', clientRequestId: 'e2e-koreksi-0001', form: ppwp(30, 80, 10, 2) });

    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'verifikator', PASSWORD);
      await page.goto(`${suite.server.url}/#/verifikasi/PPWP`);
      await page.click(`[data-testid=queue] button[data-tps="${tps}"]`);
      await page.waitForSelector('[data-testid=correct]');
      await page.click('[data-testid=correct]');
      await expect(page.inputValue('input[name="votes.02"]')).resolves.toBe('80');
      await page.fill('input[name="votes.02"]', '85');
      await page.fill('input[name=valid]', '125');
      await expect(page.isDisabled('[data-testid=save-correction]')).resolves.toBe(true);
      await page.fill('textarea[name=reason]', 'salah baca angka paslon 02 di C.Hasil');
      // The phone path (the operator has no data): secondary to proposing, applies at once.
      await page.check('[data-testid=by-phone]');
      await page.fill('input[name=operatorConfirmation]', 'dikonfirmasi via telepon, operator-koreksi, 19.40');
      await screenshot(page, 'verifier-correction-1280');
      await page.click('[data-testid=save-correction]');
      await waitForText(page, '[data-testid=panel-message]', 'Koreksi disimpan.');

      const changes = page.locator('[data-testid=changes]');
      await changes.waitFor();
      await expect(changes.locator('tr[data-path="votes.02"] td.old').innerText()).resolves.toBe('80');
      await expect(changes.locator('tr[data-path="votes.02"] td.new').innerText()).resolves.toBe('85');
      await expect(changes.locator('tr[data-path="valid"] td.old').innerText()).resolves.toBe('120');
      await expect(changes.locator('tr[data-path="valid"] td.new').innerText()).resolves.toBe('125');
      const timeline = await text(page, '[data-testid=timeline]');
      expect(timeline).toContain('Dikoreksi');
      expect(timeline).toContain('verifikator');
      expect(timeline).toContain('salah baca angka paslon 02 di C.Hasil');
      expect(timeline).toContain('dikonfirmasi via telepon, operator-koreksi, 19.40');
      await screenshot(page, 'verifier-timeline-1280');

      const stored = await suite.admin.result(tps, 'PPWP');
      expect(stored.status).toBe('corrected');
      expect(stored.form?.votes).toEqual({ '01': 30, '02': 85, '03': 10 });
    } finally {
      await context.close();
    }
  });

  it('verifies in one action, and explains a conflict when another verifier acted first', async () => {
    const operator = new SuaraClient(suite.server.url);
    await operator.login('operator-koreksi', PASSWORD);
    const first = `${DESA_CORRECT}002`;
    await operator.submit({ tpsCode: first, ballot: 'DPD', clientRequestId: 'e2e-verify-0001', form: { votes: { '1': 20, '2': 30 }, valid: 50, invalid: 1 } });
    const other = new SuaraClient(suite.server.url);
    await other.login('verifikator2', PASSWORD);

    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'verifikator', PASSWORD);
      await page.goto(`${suite.server.url}/#/tps/${first}/DPD`);
      await page.waitForSelector('[data-testid=verify]');
      await expect(text(page, '[data-testid=result-status]')).resolves.toBe('Menunggu verifikasi');
      // Someone else verifies while this page still shows the old version.
      const current = await other.result(first, 'DPD');
      await other.verify(first, 'DPD', current.version);
      await page.click('[data-testid=verify]');
      await page.waitForSelector('[data-testid=panel-message]');
      await expect(text(page, '[data-testid=panel-message]')).resolves.toContain('Data sudah diubah oleh pengguna lain; muat ulang');
      await waitForText(page, '[data-testid=result-status]', 'Terverifikasi');
      await expect(text(page, '[data-testid=timeline]')).resolves.toContain('verifikator2');

      // One action on a fresh result.
      await operator.submit({ tpsCode: first, ballot: 'PPWP', clientRequestId: 'e2e-verify-0002', form: ppwp(10, 20, 30, 0) });
      await page.goto(`${suite.server.url}/#/tps/${first}/PPWP`);
      await page.click('[data-testid=verify]');
      await waitForText(page, '[data-testid=panel-message]', 'Hasil diverifikasi.');
      await waitForText(page, '[data-testid=result-status]', 'Terverifikasi');
      expect((await suite.admin.result(first, 'PPWP')).status).toBe('verified');
    } finally {
      await context.close();
    }
  });

  it('an operator cannot reach the officials\' view: redirected with a message, no recap requested', async () => {
    const { context, page } = await newPage(suite.browser);
    const recapRequests: string[] = [];
    page.on('request', (r: Request) => {
      if (/\/api\/(tallies|anomalies|quickcount)/.test(r.url())) recapRequests.push(r.url());
    });
    try {
      await login(page, suite.server.url, 'operator-live', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${KAB}/PPWP`);
      await page.waitForSelector('[data-testid=flash]');
      expect(page.url()).toMatch(/#\/operator$/);
      await expect(text(page, '[data-testid=flash]')).resolves.toContain('Operator tidak dapat membuka rekapitulasi');
      await page.goto(`${suite.server.url}/#/tps/${DESA_LIVE}001/PPWP`);
      await page.waitForFunction(() => location.hash === '#/operator');
      await page.goto(`${suite.server.url}/#/verifikasi`);
      await page.waitForFunction(() => location.hash === '#/operator');
      await expect(page.locator('header nav a').allInnerTexts()).resolves.toEqual(['Formulir TPS']);
      await expect(page.locator('[data-testid=region-table], [data-testid=full-count]').count()).resolves.toBe(0);
      expect(recapRequests).toEqual([]);
      // And the API agrees: recap data stays internal.
      const op = new SuaraClient(suite.server.url);
      await op.login('operator-live', PASSWORD);
      await expect(op.tally(KAB, 'PPWP')).rejects.toMatchObject({ status: 403 });
    } finally {
      await context.close();
    }
  });

  it('keeps a submission in the browser while the network is down and retries it with the same clientRequestId', async () => {
    const { context, page } = await newPage(suite.browser, PHONE);
    const bodies: string[] = [];
    page.on('request', (r: Request) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/results') bodies.push(r.postData() ?? '');
    });
    const tps = `${DESA_OFFLINE}001`;
    try {
      await login(page, suite.server.url, 'operator-offline', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${tps}/PPWP`);
      await page.waitForSelector('input[name="votes.01"]');
      await fillPpwp(page, { v1: 12, v2: 34, v3: 56, invalid: 7 });
      await page.waitForSelector('[data-testid=check-ok]');
      await page.click('[data-testid=review]');
      await context.setOffline(true);
      await page.click('[data-testid=send]');
      await page.waitForSelector('text=Menunggu jaringan');
      const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('suara.outbox') ?? '[]') as { clientRequestId: string }[]);
      expect(queued).toHaveLength(1);
      await screenshot(page, 'operator-offline-360');
      await context.setOffline(false);
      await page.waitForSelector('[data-testid=done]', { timeout: 30_000 });

      const ids = new Set(bodies.map((b) => (JSON.parse(b) as { clientRequestId: string }).clientRequestId));
      expect(bodies.length).toBeGreaterThanOrEqual(2);
      expect([...ids]).toEqual([queued[0].clientRequestId]);
      expect(queued[0].clientRequestId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      await expect(page.evaluate(() => localStorage.getItem('suara.outbox'))).resolves.toBe('[]');
      const stored = await suite.admin.result(tps, 'PPWP');
      expect(stored.status).toBe('submitted');
      expect(stored.form).toMatchObject({ votes: { '01': 12, '02': 34, '03': 56 }, valid: 102, invalid: 7 });

      // Opening the form again shows what is stored; it cannot be sent twice.
      await page.goto(`${suite.server.url}/#/operator`);
      await page.goto(`${suite.server.url}/#/operator/${tps}/PPWP`);
      await page.waitForSelector('[data-testid=stored]');
    } finally {
      await context.close();
    }
  });

  it('when the TPS was already submitted elsewhere, shows what is stored instead of sending twice', async () => {
    const { context, page } = await newPage(suite.browser, PHONE);
    const tps = `${DESA_PHONE}003`;
    try {
      await login(page, suite.server.url, 'operator-hp', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${tps}/PPWP`);
      await page.waitForSelector('input[name="votes.01"]');
      await fillPpwp(page, { v1: 1, v2: 2, v3: 3, invalid: 0 });
      await page.waitForSelector('[data-testid=check-ok]');
      await page.click('[data-testid=review]');
      // Meanwhile the same TPS arrives through another channel (the operator's own API client).
      const api = new SuaraClient(suite.server.url);
      await api.login('operator-hp', PASSWORD);
      await api.submit({ tpsCode: tps, ballot: 'PPWP', clientRequestId: 'e2e-elsewhere-01', form: ppwp(7, 8, 9, 1) });
      await page.click('[data-testid=send]');
      await page.waitForSelector('[data-testid=stored]');
      await expect(text(page, '[data-testid=form-message]')).resolves.toContain('sudah pernah dikirim');
      await expect(text(page, '[data-testid=form-view] tr[data-path="votes.02"] td')).resolves.toBe('8');
      expect((await suite.admin.result(tps, 'PPWP')).form?.votes).toEqual({ '01': 7, '02': 8, '03': 9 });
    } finally {
      await context.close();
    }
  });

  it('shows the server\'s issues per field and refuses to go on until the sums agree', async () => {
    const { context, page } = await newPage(suite.browser, PHONE);
    try {
      await login(page, suite.server.url, 'operator-hp', PASSWORD);
      await page.goto(`${suite.server.url}/#/operator/${DESA_PHONE}001/PPWP`);
      await page.waitForSelector('input[name="votes.01"]');
      await page.fill('input[name="votes.01"]', '10');
      await page.fill('input[name="votes.02"]', '20');
      await page.fill('input[name=valid]', '31');
      await page.fill('input[name=invalid]', '1');
      await page.waitForSelector('label.field.invalid input[name=valid]');
      // The valid field's own issue (votes.03, left empty, may show "wajib diisi" above it).
      await expect(page.locator('label.field.invalid:has(input[name=valid]) .field-issue').innerText()).resolves.toContain('31');
      await expect(page.isDisabled('[data-testid=review]')).resolves.toBe(true);
      await page.fill('input[name=valid]', '30');
      await page.waitForSelector('[data-testid=check-ok]');
      await expect(page.isDisabled('[data-testid=review]')).resolves.toBe(false);
    } finally {
      await context.close();
    }
  });

  it('sends an expired session back to login with a message', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'pejabat', PASSWORD);
      await page.evaluate(() => {
        const s = JSON.parse(sessionStorage.getItem('suara.session')!);
        sessionStorage.setItem('suara.session', JSON.stringify({ ...s, token: 'kedaluwarsa' }));
      });
      await page.reload();
      await page.waitForSelector('[data-testid=login-flash]');
      await expect(text(page, '[data-testid=login-flash]')).resolves.toBe('Sesi berakhir, silakan masuk lagi');
      expect(page.url()).toMatch(/#\/masuk$/);
      await screenshot(page, 'login-expired-1280');
    } finally {
      await context.close();
    }
  });

  it('exports the current region through the server: CSV for Indonesian Excel (BOM, semicolons) and .xlsx', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'pejabat', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${KAB}/PPWP`);
      await page.waitForSelector('[data-testid=region-table]');
      const tally = await suite.admin.tally(KAB, 'PPWP');

      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
      expect(csvDownload.suggestedFilename()).toMatch(/^rekap-PPWP-1222-.*\.csv$/);
      const csv = readFileSync((await csvDownload.path())!, 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv).toContain(REPORT_NOTICE);
      const lines = csv.slice(1).split('\r\n');
      expect(lines.findIndex((l) => l.startsWith('Kode;Kecamatan'))).toBeGreaterThan(0);
      const last = lines.filter(Boolean).at(-1)!.split(';');
      expect(last[0]).toBe(KAB);
      expect(Number(last.at(-2))).toBe(tally.totals.valid);

      const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')]);
      expect(xlsxDownload.suggestedFilename()).toMatch(/\.xlsx$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(readFileSync((await xlsxDownload.path())!) as unknown as ArrayBuffer);
      const names: unknown[] = [];
      wb.getWorksheet('Rekap')!.eachRow((row) => names.push(row.getCell(2).value));
      for (const child of tally.children) expect(names).toContain(child.name);
    } finally {
      await context.close();
    }
  });

  it('shows the quick count beside the full count once a sample is drawn, and updates it live', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'pejabat', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${KAB}/DPRD_KAB`);
      await page.waitForSelector('[data-testid=qc-none]');
      await expect(text(page, '[data-testid=qc-none]')).resolves.toBe('Sampel belum ditarik');

      const sample = await suite.admin.drawSample({ ballot: 'PPWP', size: 40, seed: 'e2e' });
      await page.click('.tabs a[data-ballot=PPWP]');
      await waitForText(page, '[data-testid=qc-received]', `${sample.received} dari ${sample.size} TPS sampel masuk`);

      // A sample TPS comes in: the panel follows without a reload.
      let target: string | undefined;
      for (const code of sample.tpsCodes) {
        if ((await suite.admin.result(code, 'PPWP')).status === 'empty') { target = code; break; }
      }
      expect(target).toBeDefined();
      const operator = await user('operator-sampel', 'operator', [target!]);
      await operator.submit({ tpsCode: target!, ballot: 'PPWP', clientRequestId: 'e2e-sample-0001', form: ppwp(50, 60, 70, 3) });
      await waitForText(page, '[data-testid=qc-received]', `${sample.received + 1} dari ${sample.size} TPS sampel masuk`);
      await page.waitForSelector('[data-testid=quickcount] .qc-list li');
      await expect(page.locator('[data-testid=quickcount] .qc-list li').count()).resolves.toBe(3);
      await expect(page.locator('[data-testid=quickcount] .qc-list').innerText()).resolves.toMatch(/±/);
      await screenshot(page, 'official-quickcount-1280');
    } finally {
      await context.close();
    }
  });

  it('has no horizontal overflow at 360 px on the main screens', async () => {
    const official = await newPage(suite.browser, PHONE);
    const verifier = await newPage(suite.browser, PHONE);
    const operator = await newPage(suite.browser, PHONE);
    try {
      const o = official.page;
      await login(o, suite.server.url, 'pejabat', PASSWORD);
      const screens: [Page, string, string, Ballot | null][] = [
        [o, `#/rekap/${KAB}/PPWP`, 'official-live-360', null],
        [o, `#/rekap/${KAB}/DPR`, 'official-live-dpr-360', null],
        [o, `#/rekap/${DESA_LIVE}/PPWP`, 'official-desa-360', null],
        [o, `#/tps/${DESA_CORRECT}001/PPWP`, 'official-tps-detail-360', null],
      ];
      for (const [page, hash, name] of screens) {
        await page.goto(`${suite.server.url}/${hash}`);
        await page.waitForSelector(hash.startsWith('#/tps') ? '[data-testid=timeline]' : '[data-testid=region-table]');
        await page.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        expect({ name, overflow: await horizontalOverflow(page) }).toEqual({ name, overflow: 0 });
        await screenshot(page, name);
      }

      const v = verifier.page;
      await login(v, suite.server.url, 'verifikator', PASSWORD);
      await v.goto(`${suite.server.url}/#/verifikasi/PPWP`);
      await v.waitForSelector('[data-testid=queue] button');
      await v.locator('[data-testid=queue] button').first().click();
      await v.waitForSelector('[data-testid=correct]');
      await v.click('[data-testid=correct]');
      await v.waitForSelector('[data-testid=correction-form]');
      expect(await horizontalOverflow(v)).toBe(0);
      await screenshot(v, 'verifier-console-360');

      const p = operator.page;
      await login(p, suite.server.url, 'operator-hp', PASSWORD);
      await p.waitForSelector('[data-testid=tps-list] li');
      expect(await horizontalOverflow(p)).toBe(0);
      await p.goto(`${suite.server.url}/#/operator/${DESA_PHONE}002/DPR`);
      await p.waitForSelector('input[name="votes.1.party"]');
      await p.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      expect(await horizontalOverflow(p)).toBe(0);
      await screenshot(p, 'operator-form-dpr-360');
    } finally {
      await official.context.close();
      await verifier.context.close();
      await operator.context.close();
    }
  });

  // Last: it restarts the service.
  it('shows a lost connection and recovers by itself: re-subscribes after the service comes back', async () => {
    const { context, page } = await newPage(suite.browser);
    try {
      await login(page, suite.server.url, 'pejabat', PASSWORD);
      await page.goto(`${suite.server.url}/#/rekap/${DESA_RECONNECT}/PPWP`);
      await waitForText(page, '[data-testid=connection]', 'Terhubung');
      const before = toNumber(await text(page, '[data-testid=valid-total]'));

      const { port } = suite.server;
      await suite.server.stop();
      await waitForText(page, '[data-testid=connection]', 'Terputus — menyambung ulang…');
      await screenshot(page, 'official-disconnected-1280');
      suite.server = await startServer({ port, dataDir });
      await waitForText(page, '[data-testid=connection]', 'Terhubung', 90_000);

      const operator = new SuaraClient(suite.server.url);
      await operator.login('operator-sambung', PASSWORD);
      await operator.submit({ tpsCode: `${DESA_RECONNECT}002`, ballot: 'PPWP', clientRequestId: 'e2e-reconnect-01', form: ppwp(5, 6, 7, 1) });
      await waitForText(page, '[data-testid=valid-total]', String(before + 18));
    } finally {
      await context.close();
    }
  }, 180_000);
});

