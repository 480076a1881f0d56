import { Client } from 'pg';
import { createBenchDatabase } from './postgres';
import { primaryUrl } from '../db/postgres-hosts';

export interface RawInsertResult {
  rowsPerSec: number;
  rows: number;
  seconds: number;
  connections: number;
}

/** A JSON document that serialises to exactly `bytes` bytes. */
export function payloadOfSize(bytes: number): Record<string, unknown> {
  const base = { tpsCode: '1222011001001', ballot: 'PPWP', votes: { '01': 50, '02': 120, '03': 10 }, valid: 180, invalid: 4, pad: '' };
  const pad = bytes - JSON.stringify(base).length;
  if (pad < 0) throw new Error(`payload cannot be ${bytes} bytes`);
  return { ...base, pad: 'x'.repeat(pad) };
}

/**
 * The physical ceiling of "one durable commit per submission": `connections` clients, each
 * inserting one 400-byte JSONB row per transaction (autocommit) as fast as it can, with the
 * server's own durability settings.
 */
export async function measureRawInsert(serverUrl: string, seconds: number, connections = 8): Promise<RawInsertResult> {
  const db = await createBenchDatabase(serverUrl, 'raw');
  const clients: Client[] = [];
  try {
    const url = await primaryUrl(db.url);
    for (let i = 0; i < connections; i++) {
      const c = new Client({ connectionString: url });
      await c.connect();
      clients.push(c);
    }
    await clients[0].query('CREATE TABLE raw_insert (id bigserial PRIMARY KEY, data jsonb NOT NULL)');
    const payload = JSON.stringify(payloadOfSize(400));
    const sql = 'INSERT INTO raw_insert (data) VALUES ($1::jsonb)';
    // Warm the connections and plans up before the clock starts.
    await Promise.all(clients.map((c) => c.query(sql, [payload])));
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const counts = await Promise.all(
      clients.map(async (c) => {
        let n = 0;
        while (performance.now() < deadline) {
          await c.query(sql, [payload]);
          n++;
        }
        return n;
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const rows = counts.reduce((a, b) => a + b, 0);
    return { rowsPerSec: rows / elapsed, rows, seconds: elapsed, connections };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await db.drop();
  }
}
