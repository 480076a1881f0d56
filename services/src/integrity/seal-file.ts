import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SealRecord } from './seal';

/**
 * The seals outside the database: one JSON seal per line, only ever appended (O_APPEND, flushed
 * to disk before the sealer goes on). Whoever copies this file, or watches it grow, holds seals
 * that a rewrite of the database cannot reach. `verify-chain --seals <file>` reads it.
 */
export class SealFile {
  constructor(readonly path: string) {}

  async append(records: SealRecord[]): Promise<void> {
    if (records.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const file = await open(this.path, 'a', 0o644);
    try {
      await file.appendFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await file.datasync();
    } finally {
      await file.close();
    }
  }

  /** Every seal in the file, oldest first; [] when there is no file yet. */
  async read(): Promise<SealRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return parseSealLines(text, this.path);
  }

  /**
   * Appends the seals of `stored` (oldest first) that come after the file's last one: after a
   * failed write, or on a process that takes the sealer lease over from another.
   */
  async catchUp(stored: SealRecord[]): Promise<number> {
    const inFile = await this.read();
    const last = inFile.at(-1);
    const from = last ? stored.findIndex((r) => r.signature === last.signature) + 1 : 0;
    const missing = from > 0 || !last ? stored.slice(from) : stored.filter((r) => r.at > last.at);
    await this.append(missing);
    return missing.length;
  }
}

/** Seals from newline-delimited JSON; a line that is not a seal names its number. */
export function parseSealLines(text: string, source: string): SealRecord[] {
  const seals: SealRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${source}: line ${i + 1} is not JSON`);
    }
    if (!isSealRecord(value)) throw new Error(`${source}: line ${i + 1} is not a seal`);
    seals.push(value);
  });
  return seals;
}

export function isSealRecord(value: unknown): value is SealRecord {
  const r = value as Partial<SealRecord> | null;
  return (
    typeof r === 'object' && r !== null && r.v === 1 && Number.isSafeInteger(r.treeSize) && typeof r.position === 'string' &&
    typeof r.root === 'string' && typeof r.at === 'string' && typeof r.signature === 'string' && typeof r.publicKey === 'string' &&
    typeof r.keyId === 'string' &&
    (r.consistency === undefined || (Number.isSafeInteger(r.consistency.from) && Array.isArray(r.consistency.proof)))
  );
}
