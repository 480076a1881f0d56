import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_NOTICE, SuaraClient } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually } from './support/http';

const DESA = '1222011001';
const KECAMATAN = '122201';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;

async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const parser = new PDFParse({ data: bytes });
  try {
    return (await parser.getText()).pages.map((p) => p.text);
  } finally {
    await parser.destroy();
  }
}

describe.each(backends())('reports on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let official: SuaraClient;
  let officialName: string;

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [DESA]);
    officialName = `pejabat${Date.now().toString(36)}`;
    official = await t.userClient('official', undefined, officialName);
    const verifier = await t.userClient('verifier');
    const votes = [{ '01': 250, '02': 20, '03': 10 }, { '01': 40, '02': 200, '03': 30 }, { '01': 7, '02': 8, '03': 9 }];
    for (const [i, v] of votes.entries()) {
      await operator.submit({ tpsCode: tps(i + 1), ballot: 'PPWP', clientRequestId: `report-${i}-${backend}`, form: ppwpForm(v) });
    }
    await verifier.verify(tps(1), 'PPWP', 1);
    await eventually('the tally to count the three TPS', async () => {
      const tally = await official.tally(KECAMATAN, 'PPWP');
      return tally.progress.tpsReported === 3 && tally.progress.tpsVerified === 1 ? tally : undefined;
    });
  });
  afterAll(async () => t?.close());

  it('PDF: parses, every page carries the notice, SIMULASI and who made it, and the totals match the tally', async () => {
    const tally = await official.tally(KECAMATAN, 'PPWP');
    const file = await official.report(KECAMATAN, { ballot: 'PPWP', format: 'pdf' });
    expect(file.contentType).toBe('application/pdf');
    expect(file.filename).toMatch(/^rekap-PPWP-122201-.*-simulasi\.pdf$/);
    const pages = await pdfText(file.bytes);
    for (const page of pages) {
      expect(page).toContain(REPORT_NOTICE);
      expect(page).toContain('SIMULASI');
      expect(page).toContain(`Dibuat oleh ${officialName}`);
      expect(page).toMatch(/WIB/);
    }
    // Headers wrap inside their cells: compare with whitespace collapsed.
    const text = pages.join('\n').replace(/\s+/g, ' ').replace(/- /g, '-');
    const id = new Intl.NumberFormat('id-ID');
    const election = await official.election();
    for (const p of election.ballots.find((b) => b.ballot === 'PPWP')!.paslon!) expect(text).toContain(`${p.number} ${p.name}`);
    // The kecamatan's total line carries the tally's numbers.
    const p = tally.progress;
    const expected = [p.tpsTotal, p.tpsReported, p.tpsVerified].map((n) => id.format(n)).join(' ');
    const votes = [tally.totals.votes['01'], tally.totals.votes['02'], tally.totals.votes['03'], tally.totals.valid, tally.totals.invalid].map((n) => id.format(n!)).join(' ');
    expect(text).toMatch(new RegExp(`Jumlah Kecamatan ${tally.region.name} ${expected} [0-9,]+% [0-9.]+ [0-9.]+ ${votes.replace(/\./g, '\\.')}`));
    expect(tally.totals.votes['01']).toBe(297);
  });

  it('XLSX read back with exceljs shows the same numbers as GET /api/tallies, codes as text', async () => {
    const tally = await official.tally(DESA, 'PPWP');
    const file = await official.report(DESA, { ballot: 'PPWP', format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.bytes) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Rekap')!;
    let headerRow = 0;
    const firstCells: unknown[] = [];
    sheet.eachRow((row, n) => {
      firstCells.push(row.getCell(1).value);
      if (row.getCell(1).value === 'Kode') headerRow = n;
    });
    expect(firstCells).toContain(REPORT_NOTICE);
    expect(firstCells.some((c) => String(c).startsWith('SIMULASI'))).toBe(true);
    const headers = (sheet.getRow(headerRow).values as unknown[]).slice(1).map(String);
    const col = (name: string) => headers.indexOf(name) + 1;
    const paslon = (await official.election()).ballots.find((b) => b.ballot === 'PPWP')!.paslon!;
    expect(tally.children.length).toBeGreaterThan(3);
    tally.children.forEach((child, i) => {
      const row = sheet.getRow(headerRow + 1 + i);
      expect(row.getCell(col('Kode')).value).toBe(child.code);
      for (const p of paslon) expect(row.getCell(col(`${p.number} ${p.name}`)).value).toBe(child.totals.votes[p.number] ?? 0);
      expect(row.getCell(col('Suara sah')).value).toBe(child.totals.valid);
      expect(row.getCell(col('Suara tidak sah')).value).toBe(child.totals.invalid);
    });
    const total = sheet.getRow(headerRow + 1 + tally.children.length);
    expect(total.getCell(col('Kode')).value).toBe(DESA);
    expect(total.getCell(col('Suara sah')).value).toBe(tally.totals.valid);
    expect(total.getCell(col('TPS masuk')).value).toBe(tally.progress.tpsReported);
    expect(total.getCell(col('DPT')).value).toBe(3 * 280);
  });

  it('CSV: semicolons and a BOM by default, commas on request', async () => {
    const semi = new TextDecoder().decode((await official.report(DESA, { ballot: 'PPWP', format: 'csv' })).bytes);
    // TextDecoder drops the BOM by default; check the raw bytes instead.
    const raw = (await official.report(DESA, { ballot: 'PPWP', format: 'csv' })).bytes;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(semi).toContain('Kode;TPS;Jumlah TPS');
    expect(semi).toContain(`${tps(1)};`);
    const comma = new TextDecoder().decode((await official.report(DESA, { ballot: 'PPWP', format: 'csv', separator: 'comma' })).bytes);
    expect(comma).toContain('Kode,TPS,Jumlah TPS');
  });

  it('writes an audit entry for each export with who, region, ballot and format', async () => {
    await official.report(KECAMATAN, { ballot: 'DPD', format: 'csv' });
    const [entry] = await t.admin.audit({ action: 'report_exported', actor: officialName, limit: 1 });
    expect(entry).toMatchObject({ actorUsername: officialName, action: 'report_exported', target: KECAMATAN, detail: { ballot: 'DPD', format: 'csv', mode: 'simulation' } });
  });

  it('refuses operators (403) and bad parameters (400 naming the field)', async () => {
    const denied = await errorOf(operator.report(DESA, { ballot: 'PPWP', format: 'pdf' }));
    expect(denied.status).toBe(403);
    const bad = await errorOf(official.report(DESA, { ballot: 'PPWP', format: 'docx' as 'pdf' }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues?.map((i) => i.path)).toContain('format');
    expect((await errorOf(official.report('9999', { ballot: 'PPWP', format: 'csv' }))).status).toBe(404);
    const operatorName = (await operator.me()).username;
    expect(await t.admin.audit({ action: 'report_exported', actor: operatorName })).toEqual([]);
  });

  it('drops SIMULASI once the real election runs', async () => {
    await t.admin.switchToReal();
    const pages = await pdfText((await official.report(KECAMATAN, { ballot: 'PPWP', format: 'pdf' })).bytes);
    expect(pages[0]).toContain(REPORT_NOTICE);
    expect(pages.join('\n')).not.toContain('SIMULASI');
  });
});
