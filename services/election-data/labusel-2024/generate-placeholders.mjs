// Writes dapils.csv and candidates.csv: GENERATED placeholders, because the real Labusel dapil map
// and candidate lists are not in the public sources we have (see SOURCES.md). Deterministic:
// running it again gives the same files. Replace both files with the real lists when available
// (or load a folder with `npm run suara -- election import <folder>`).
import { readFileSync, writeFileSync } from 'node:fs';

const rows = (f) => readFileSync(new URL(f, import.meta.url), 'utf8').trim().split('\n').slice(1);
const parties = rows('parties.csv').map((l) => l.split(',')[0]);
const kecamatan = rows('regions.csv').map((l) => l.split(',')).filter((c) => c[2] === 'kecamatan');

// DPRD Labusel has 35 seats. The final dapil map was not found; these seats split the 35 over one
// placeholder dapil per kecamatan by Sainte-Laguë on the TPS counts (Kotapinang 202, Kampung Rakyat
// 203, Torgamba 352, Sungai Kanan 161, Silangkitang 107). See SOURCES.md.
const KAB_SEATS = { '122201': 7, '122202': 7, '122203': 12, '122204': 5, '122205': 4 };
// Dapil Sumatera Utara II of the DPR (10 seats): the kabupaten/kota it groups, Labusel among them.
const SUMUT_II = ['1201', '1202', '1203', '1204', '1205', '1206', '1207', '1214', '1215', '1217', '1220', '1221', '1222', '1223', '1224', '1225', '1271', '1277', '1278'];

const dapils = [
  ['DPR', 'DPR-SUMUT-2', 'Sumatera Utara II', SUMUT_II.join(' '), 10],
  ['DPRD_PROV', 'DPRD-SUMUT-6', 'Sumatera Utara 6', '1207 1222 1223', 8],
  ...kecamatan.map(([, kpu, , name]) => ['DPRD_KAB', `DPRD-LABUSEL-${kpu.slice(4)}`, `Labuhanbatu Selatan ${kpu.slice(4)} — ${name} (contoh)`, kpu, KAB_SEATS[kpu]]),
];
const dapilCsv = ['ballot,code,name,seats,region_codes,generated', ...dapils.map(([b, c, n, r, s]) => `${b},${c},"${n}",${s},${r},true`)];
const cand = ['ballot,dapil_code,party_number,candidate_number,name,generated'];
// A party may list as many candidates as the dapil has seats.
for (const [ballot, code, , , seats] of dapils) {
  for (const p of parties) {
    for (let i = 1; i <= seats; i++) cand.push(`${ballot},${code},${p},${i},Calon ${ballot} ${code.split('-').pop()} P${p} No.${i} (contoh),true`);
  }
}
for (let i = 1; i <= 12; i++) cand.push(`DPD,12,,${i},Calon DPD Sumatera Utara No.${i} (contoh),true`);
writeFileSync(new URL('dapils.csv', import.meta.url), dapilCsv.join('\n') + '\n');
writeFileSync(new URL('candidates.csv', import.meta.url), cand.join('\n') + '\n');
