import { describe, expect, it } from 'vitest';
import { readMasterDataFolder, validateMasterData, type MasterDataFiles } from './master-data';
import { readCsvTable } from './csv-table';

const LABUSEL = `${__dirname}/../../election-data/labusel-2024`;
const labusel = (): MasterDataFiles => readMasterDataFolder(LABUSEL);
const problemsOf = (files: MasterDataFiles) => {
  const result = validateMasterData(files);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
};

/** A small valid folder: one kabupaten, one kecamatan, two desa, three TPS, one dapil per party ballot. */
function small(): MasterDataFiles {
  return {
    'election.json': JSON.stringify({ id: 'kecil-2024', name: 'Kecil', provinsiCode: '12', kabupatenCode: '1222' }),
    'regions.csv': [
      'code,kpu_code,level,name,parent_code',
      '12,12,provinsi,Sumatera Utara,',
      '12.22,1222,kabupaten,Labuhanbatu Selatan,12',
      '12.22.01,122201,kecamatan,Kotapinang,12.22',
      '12.22.01.1001,1222011001,kelurahan,Kotapinang,12.22.01',
      '12.22.01.2002,1222012002,desa,Sisumut,12.22.01',
    ].join('\n'),
    'tps.csv': ['tps_code,desa_code,tps_no,name', '1222011001001,12.22.01.1001,1,TPS 001', '1222011001002,12.22.01.1001,2,TPS 002', '1222012002001,12.22.01.2002,1,TPS 001'].join('\n'),
    'parties.csv': ['number,name,short_name', '1,Partai Kebangkitan Bangsa,PKB', '2,Partai Gerakan Indonesia Raya,Gerindra'].join('\n'),
    'paslon.csv': ['number,capres,cawapres,short_name,color', '01,"H. ANIES RASYID BASWEDAN, Ph.D.",Dr. (H.C.) H. A. MUHAIMIN ISKANDAR,Anies-Muhaimin,#8CB9BD'].join('\n'),
    'dapils.csv': [
      'ballot,code,name,seats,region_codes,generated',
      'DPR,DPR-SUMUT-2,"Sumatera Utara II",10,1222 1223,false',
      'DPRD_PROV,DPRD-SUMUT-6,"Sumatera Utara 6",8,1222,false',
      'DPRD_KAB,DPRD-LABUSEL-1,"Labuhanbatu Selatan 1",3,122201,false',
    ].join('\n'),
    'candidates.csv': [
      'ballot,dapil_code,party_number,candidate_number,name,generated',
      'DPRD_KAB,DPRD-LABUSEL-1,1,1,"SITI, S.Pd.",false',
      'DPRD_KAB,DPRD-LABUSEL-1,1,2,Budi,false',
      'DPD,12,,1,Calon DPD,false',
    ].join('\n'),
  };
}

describe('validateMasterData', () => {
  it('given the shipped Labusel folder, then it is valid with its real regions and TPS and the placeholder dapils', () => {
    const result = validateMasterData(labusel());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.regions).toHaveLength(61);
    expect(result.data.tps).toHaveLength(1025);
    expect(result.data.config.parties).toHaveLength(18);
    expect(result.data.config.dapils.filter((d) => d.ballot === 'DPRD_KAB').reduce((n, d) => n + d.seats, 0)).toBe(35);
  });

  it('given a small valid folder, then quoted fields keep their commas and candidates land in their dapil and party', () => {
    const result = validateMasterData(small());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.config.paslon[0].capres).toBe('H. ANIES RASYID BASWEDAN, Ph.D.');
    expect(result.data.config.dapils.find((d) => d.code === 'DPRD-LABUSEL-1')!.candidates['1'].map((c) => c.name)).toEqual(['SITI, S.Pd.', 'Budi']);
    expect(result.data.config.dpd.candidates).toEqual([{ number: '1', name: 'Calon DPD', generated: false }]);
  });

  it('given bad lines in several files, then every one is listed with file, line, field and why — not only the first', () => {
    const files = small();
    files['regions.csv'] = files['regions.csv']!.replace('12.22.01.2002,1222012002,desa,Sisumut,12.22.01', '12.22.01.2002,1222012002,dusun,Sisumut,12.22.09');
    files['tps.csv'] += '\n1222019999001,12.22.01.9999,1,TPS 001\n1222011001003,12.22.01.1001,x,TPS 003';
    files['candidates.csv'] += '\nDPRD_KAB,DPRD-LABUSEL-1,7,1,Calon Partai 7,false\nDPRD_KAB,DPRD-LABUSEL-1,1,2,Budi lagi,false\nDPRD_KAB,DPRD-LABUSEL-1,1,3,Ketiga,false\nDPRD_KAB,DPRD-LABUSEL-1,1,4,Keempat,false';
    const problems = problemsOf(files);
    expect(problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: 'regions.csv', line: 6, field: 'level', message: expect.stringContaining('dusun') }),
      expect.objectContaining({ file: 'tps.csv', line: 5, field: 'desa_code', message: expect.stringContaining('1222019999') }),
      expect.objectContaining({ file: 'tps.csv', line: 6, field: 'tps_no' }),
      expect.objectContaining({ file: 'candidates.csv', line: 5, field: 'party_number' }),
      expect.objectContaining({ file: 'candidates.csv', line: 6, field: 'candidate_number', message: expect.stringContaining('baris 3') }),
      expect.objectContaining({ file: 'candidates.csv', line: 8, field: 'candidate_number', message: expect.stringContaining('3 calon') }),
    ]));
    // The TPS of the desa whose line was refused are not listed again: one bad line, one problem.
    expect(problems.filter((p) => p.file === 'tps.csv').map((p) => p.line)).toEqual([5, 6]);
  });

  it('given a party line with a bad field, then its candidates are not listed again (no cascade)', () => {
    const files = small();
    files['parties.csv'] = files['parties.csv']!.replace('1,Partai Kebangkitan Bangsa,PKB', '1,Partai Kebangkitan Bangsa,');
    files['dapils.csv'] = files['dapils.csv']!.replace('"Labuhanbatu Selatan 1",3,', '"Labuhanbatu Selatan 1",tiga,');
    expect(problemsOf(files)).toEqual([
      { file: 'parties.csv', line: 2, field: 'short_name', message: 'wajib diisi' },
      expect.objectContaining({ file: 'dapils.csv', line: 4, field: 'seats' }),
    ]);
  });

  it('given an unquoted comma in one line, then that line is listed with its field count and the lines after it are still checked', () => {
    const files = small();
    files['parties.csv'] = 'number,name,short_name\n1,Partai Kebangkitan Bangsa, PKB, lagi\nx,Partai Dua,P2\n3,Partai Tiga,';
    expect(problemsOf(files).filter((p) => p.file === 'parties.csv')).toEqual([
      { file: 'parties.csv', line: 2, message: expect.stringContaining('4 kolom') },
      { file: 'parties.csv', line: 3, field: 'number', message: expect.stringContaining('"x"') },
      { file: 'parties.csv', line: 4, field: 'short_name', message: 'wajib diisi' },
    ]);
  });

  it('given a UTF-8 BOM and CRLF line ends, then the data is the same as without', () => {
    const plain = validateMasterData(small());
    const files = small();
    for (const name of ['regions.csv', 'tps.csv', 'candidates.csv'] as const) files[name] = `\uFEFF${files[name]!.replace(/\n/g, '\r\n')}\r\n`;
    const windows = validateMasterData(files);
    expect(windows).toEqual(plain);
    // Mixed: a CRLF file with lines added in an LF editor.
    files['tps.csv'] = `${files['tps.csv']!.trimEnd()}\n`.replace(/\r\n(?=1222012002001)/, '\n');
    expect(validateMasterData(files)).toEqual(plain);
  });

  it('given a quoted name spanning two lines, then the lines after it keep their true numbers', () => {
    const table = readCsvTable('a,b\n1,"dua\nbaris"\n3\n4,5\n', ['a', 'b']);
    expect(table.rows.map((r) => r.line)).toEqual([2, 5]);
    expect(table.problems).toEqual([{ line: 4, message: expect.stringContaining('1 kolom') }]);
  });

  it('given missing files, a missing column and another election id, then each is named', () => {
    const files = small();
    delete files['paslon.csv'];
    files['dapils.csv'] = files['dapils.csv']!.replace('seats,', 'kursi,');
    const result = validateMasterData(files, { id: 'labusel-2024', name: 'x', provinsiCode: '12', kabupatenCode: '1222' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(expect.arrayContaining([
      { file: 'paslon.csv', line: 0, message: 'file tidak ada' },
      { file: 'dapils.csv', line: 1, field: 'seats', message: expect.stringContaining('tidak ada') },
      { file: 'election.json', line: 0, field: 'id', message: expect.stringContaining('labusel-2024') },
    ]));
  });

  it('given a desa no DPRD_KAB dapil lists and a dapil with too few seats, then both are named', () => {
    const files = small();
    files['dapils.csv'] = files['dapils.csv']!.replace('DPRD-LABUSEL-1,"Labuhanbatu Selatan 1",3,122201', 'DPRD-LABUSEL-1,"Labuhanbatu Selatan 1",2,1222011001');
    expect(problemsOf(files)).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: 'dapils.csv', line: 4, field: 'seats' }),
    ]));
    files['dapils.csv'] = small()['dapils.csv']!.replace('122201,false', '1222011001,false');
    expect(problemsOf(files)).toEqual([
      expect.objectContaining({ file: 'regions.csv', line: 6, field: 'code', message: expect.stringContaining('DPRD_KAB') }),
    ]);
  });
});
