import type { SqlExecutor } from '../../db/sql';

/** A few regions and TPS of Labuhanbatu Selatan, enough for scope checks. */
export const DESA_A = '1222011001';
export const DESA_B = '1222011002';
export const TPS_A1 = '1222011001001';

export async function seedRegions(db: SqlExecutor): Promise<void> {
  await db.exec(`
    INSERT INTO regions (code, level, name, parent_code) VALUES
      ('12', 'provinsi', 'SUMATERA UTARA', NULL),
      ('1222', 'kabupaten', 'LABUHANBATU SELATAN', '12'),
      ('122201', 'kecamatan', 'KOTAPINANG', '1222'),
      ('${DESA_A}', 'desa', 'SIMATAHARI', '122201'),
      ('${DESA_B}', 'kelurahan', 'KOTAPINANG', '122201')
    ON CONFLICT DO NOTHING;
    INSERT INTO tps (code, desa_code, kecamatan_code, kabupaten_code, number, name) VALUES
      ('${TPS_A1}', '${DESA_A}', '122201', '1222', 1, 'TPS 001'),
      ('${DESA_A}002', '${DESA_A}', '122201', '1222', 2, 'TPS 002')
    ON CONFLICT DO NOTHING;
  `);
}

/** Empties the identity tables between tests of one file (one database per file). */
export async function clearIdentity(db: SqlExecutor): Promise<void> {
  await db.exec('DELETE FROM users; DELETE FROM audit_log; DELETE FROM revoked_tokens;');
}
