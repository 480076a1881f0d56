import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { REPORT_NOTICE, type ElectionView, type TallyView } from '@suara/contracts';
import { neutraliseCell, toCsv } from '@suara/contracts';
import { buildRecap, NO_VOTERS, wibTime, type RecapInput } from './recap';
import { recapCsv } from './recap.csv';
import { recapPdf } from './recap.pdf';
import { recapXlsx } from './recap.xlsx';
import { voterSumsByChild } from './voter-sums';

const election = (mode: 'simulation' | 'real'): ElectionView => ({
  id: 'e', activeElectionId: 'e', name: 'Pemilu 2024 Labuhanbatu Selatan', mode, kabupatenCode: '1222',
  ballots: [
    {
      ballot: 'PPWP', name: 'Presiden dan Wakil Presiden',
      paslon: [
        { number: '01', name: 'Anies-Muhaimin', capres: 'a', cawapres: 'b', color: '#000' },
        { number: '02', name: 'Prabowo-Gibran', capres: 'a', cawapres: 'b', color: '#000' },
      ],
    },
    {
      ballot: 'DPRD_KAB', name: 'DPRD Kabupaten',
      parties: [{ number: '1', name: 'Partai Kebangkitan Bangsa', shortName: 'PKB' }],
      dapils: [{ ballot: 'DPRD_KAB', code: 'D1', name: 'Labusel 1', seats: 8, regionCodes: ['122201'], candidates: { '1': [{ number: '1', name: 'Siti Aminah', generated: false }, { number: '2', name: 'Budi Santoso', generated: false }] }, generated: false }],
    },
  ],
});

const progress = (reported: number) => ({ tpsTotal: 4, tpsReported: reported, tpsVerified: 1, tpsWithPhoto: 0 });
const tally = (ballot: 'PPWP' | 'DPRD_KAB', votes: [Record<string, number>, Record<string, number>], name = 'Kotapinang'): TallyView => ({
  region: { code: '122201', level: 'kecamatan', name },
  ballot, electionId: 'e', position: '1', updatedAt: null,
  totals: { votes: Object.fromEntries(Object.keys(votes[0]).map((k) => [k, votes[0][k] + votes[1][k]])), valid: 1500, invalid: 12 },
  progress: { tpsTotal: 8, tpsReported: 5, tpsVerified: 2, tpsWithPhoto: 0 },
  children: [
    { code: '1222011001', level: 'desa', name: 'Kotapinang', totals: { votes: votes[0], valid: 1000, invalid: 7 }, progress: progress(3) },
    { code: '1222011002', level: 'desa', name: '=HYPERLINK("http://x")', totals: { votes: votes[1], valid: 500, invalid: 5 }, progress: progress(2) },
  ],
});

const input = (mode: 'simulation' | 'real', t = tally('PPWP', [{ '01': 400, '02': 600 }, { '01': 200, '02': 300 }])): RecapInput => ({
  election: election(mode), tally: t, voters: new Map(), username: 'pejabat.kab', at: new Date('2024-02-14T10:05:00Z'), seal: 'Segel log 2024-02-14T10:00:00Z · 12 kejadian · root ab · kunci k1',
});

describe('the recap table', () => {
  it('names options as printed, keeps the children and adds a total line', () => {
    const r = buildRecap(input('real'));
    expect(r.columns.map((c) => c.header)).toEqual(['Kode', 'Desa/Kelurahan', 'Jumlah TPS', 'TPS masuk', 'TPS terverifikasi', '% TPS masuk', '01 Anies-Muhaimin', '02 Prabowo-Gibran', 'Suara sah', 'Suara tidak sah']);
    expect(r.rows[0]).toEqual(['1222011001', 'Kotapinang', 4, 3, 1, 0.75, 400, 600, 1000, 7]);
    expect(r.total).toEqual(['122201', 'Jumlah Kecamatan Kotapinang', 8, 5, 2, 5 / 8, 600, 900, 1500, 12]);
    expect(r.simulation).toBe(false);
    expect(r.stamp).toBe('Dibuat oleh pejabat.kab pada 14 Februari 2024 pukul 17.05.00 WIB');
  });

  it('gives party ballots inside one dapil the party-only votes and each candidate by name', () => {
    const t = tally('DPRD_KAB', [{ '1': 10, '1.p': 4, '1.c1': 5, '1.c2': 1 }, { '1': 3, '1.p': 3, '1.c1': 0, '1.c2': 0 }]);
    const headers = buildRecap(input('real', t)).columns.filter((c) => c.option).map((c) => c.header);
    expect(headers).toEqual(['1 PKB', 'PKB: suara partai', 'PKB 1. Siti Aminah', 'PKB 2. Budi Santoso']);
  });

  it('adds voter columns only when forms gave them, and the men/women split of the real form', () => {
    const forms = [
      { tpsCode: '1222011001001', form: { voters: { dpt: 280, voted: 200 } } },
      { tpsCode: '1222011002001', form: { voters: { dpt: 100, voted: 90 }, administrasi: { registered: { dpt: { l: 50, p: 48 }, dptb: { l: 1, p: 1 } }, voted: { dpt: { l: 44, p: 46 } } } } },
    ];
    const voters = voterSumsByChild('122201', ['1222011001', '1222011002'], forms);
    expect(voters.get('122201')).toMatchObject({ withVoters: 2, dpt: 380, voted: 290, withAdministrasi: 1, registeredL: 51, registeredP: 49, votedL: 44, votedP: 46 });
    const r = buildRecap({ ...input('real'), voters });
    expect(r.columns.map((c) => c.header)).toContain('Pemilih terdaftar L');
    expect(r.rows[1].slice(6, 12)).toEqual([100, 90, 51, 49, 44, 46]);
    expect(buildRecap({ ...input('real'), voters: new Map([['122201', NO_VOTERS]]) }).columns.map((c) => c.header)).not.toContain('DPT');
  });

  it('writes WIB whatever the server time zone', () => {
    expect(wibTime(new Date('2024-02-14T17:30:00Z'))).toBe('15 Februari 2024 pukul 00.30.00 WIB');
  });
});

describe('CSV', () => {
  it('neutralises cells a spreadsheet would run as a formula', () => {
    for (const evil of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseCell(evil)).toBe(`'${evil}`);
    expect(neutraliseCell('Kotapinang')).toBe('Kotapinang');
    expect(toCsv([['=cmd|/c calc', 5, -3]], ';', false)).toBe("'=cmd|/c calc;5;-3\r\n");
  });

  it('is semicolon-separated with a BOM by default (Indonesian Excel), comma on request, and neutralised', () => {
    const semi = recapCsv(buildRecap(input('simulation')), ';');
    expect(semi.startsWith('\ufeff')).toBe(true);
    expect(semi).toContain('SIMULASI');
    expect(semi).toContain(REPORT_NOTICE);
    expect(semi).toContain('Kode;Desa/Kelurahan;Jumlah TPS');
    expect(semi).toContain('1222011001;Kotapinang;4;3;1;75;400;600;1000;7');
    expect(semi).toContain(`1222011002;"'=HYPERLINK(""http://x"")";4;2;1;50;200;300;500;5`);
    const comma = recapCsv(buildRecap(input('real')), ',');
    expect(comma).toContain('Kode,Desa/Kelurahan,Jumlah TPS');
    expect(comma).toContain('122201,Jumlah Kecamatan Kotapinang,8,5,2,62.5,600,900,1500,12');
    expect(comma).not.toContain('SIMULASI');
  });
});

describe('PDF and XLSX', () => {
  it('PDF: notice, SIMULASI, who and when, and the seal on every page; the totals as numbers', async () => {
    const many = tally('PPWP', [{ '01': 1234, '02': 600 }, { '01': 200, '02': 300 }]);
    many.children = Array.from({ length: 120 }, (_, i) => ({ ...many.children[0], code: `1222011${String(i).padStart(3, '0')}` }));
    const pdf = await recapPdf(buildRecap(input('simulation', many)), new Date());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const { pages } = await parser.getText();
    await parser.destroy();
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page.text).toContain(REPORT_NOTICE);
      expect(page.text).toContain('SIMULASI');
      expect(page.text).toContain('Dibuat oleh pejabat.kab pada 14 Februari 2024 pukul 17.05.00 WIB');
      expect(page.text).toContain('Segel log 2024-02-14T10:00:00Z');
    }
    expect(pages[0].text).toContain('01 Anies-Muhaimin');
    expect(pages[0].text).toContain('1.234');
  });

  it('XLSX: codes as text, counts with a number format, notice and SIMULASI on the sheet', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await recapXlsx(buildRecap(input('simulation')))) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Rekap')!;
    const texts: string[] = [];
    let header = 0;
    sheet.eachRow((row, n) => {
      texts.push(String(row.getCell(1).value));
      if (row.getCell(1).value === 'Kode') header = n;
    });
    expect(texts).toContain(REPORT_NOTICE);
    expect(texts.some((t) => t.startsWith('SIMULASI'))).toBe(true);
    expect(sheet.headerFooter.oddHeader).toContain('SIMULASI');
    const first = sheet.getRow(header + 1);
    expect(first.getCell(1).value).toBe('1222011001');
    expect(first.getCell(1).numFmt).toBe('@');
    expect(first.getCell(7).value).toBe(400);
    expect(first.getCell(7).numFmt).toBe('#,##0');
    expect(first.getCell(6).numFmt).toBe('0.0%');
    expect(sheet.getColumn(2).width).toBe(24);
  });
});
