// Writes dapils.csv and candidates.csv: GENERATED placeholders, because the real Labusel dapil map
// and candidate lists are not in the public sources we have (see SOURCES.md). Deterministic:
// running it again gives the same files. Replace both files with the real lists when available.
import { readFileSync, writeFileSync } from 'node:fs';

const rows = (f) => readFileSync(new URL(f, import.meta.url), 'utf8').trim().split('\n').slice(1);
const parties = rows('parties.csv').map((l) => l.split(',')[0]);
const kecamatan = rows('regions.csv').map((l) => l.split(',')).filter((c) => c[2] === 'kecamatan');

const dapils = [
  ['DPR', 'DPR-SUMUT-2', 'Sumatera Utara II (contoh)', '1222', 10],
  ['DPRD_PROV', 'DPRD-SUMUT-7', 'Sumatera Utara 7 (contoh)', '1222', 8],
  ...kecamatan.map(([, kpu, , name]) => ['DPRD_KAB', `DPRD-LABUSEL-${kpu.slice(4)}`, `Labuhanbatu Selatan ${kpu.slice(4)} — ${name} (contoh)`, kpu, 7]),
];
const dapilCsv = ['ballot,code,name,region_codes,generated', ...dapils.map(([b, c, n, r]) => `${b},${c},"${n}",${r},true`)];
const cand = ['ballot,dapil_code,party_number,candidate_number,name,generated'];
for (const [ballot, code, , , seats] of dapils) {
  for (const p of parties) {
    for (let i = 1; i <= seats; i++) cand.push(`${ballot},${code},${p},${i},Calon ${ballot} ${code.split('-').pop()} P${p} No.${i} (contoh),true`);
  }
}
for (let i = 1; i <= 12; i++) cand.push(`DPD,12,,${i},Calon DPD Sumatera Utara No.${i} (contoh),true`);
writeFileSync(new URL('dapils.csv', import.meta.url), dapilCsv.join('\n') + '\n');
writeFileSync(new URL('candidates.csv', import.meta.url), cand.join('\n') + '\n');
