import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { CreateUserBody, normalizeCode } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { startLine, type ParsedRecord } from '../election/csv-table';
import { recordAudit, type AuditActor } from './audit-log';
import { generatePassword, hashPassword } from './password';
import { passwordProblem } from './password-policy';
import { existingUsernames, insertUser, unknownScopeCodes } from './user.repository';

/*
 * Bulk creation of operator accounts from a CSV file (a kabupaten has dozens of operators).
 *
 *   username,desa_code,password
 *   op_sukadamai,1222011001,
 *   op.bangun,12.22.01.1002,KataSandiKu123
 *
 * - UTF-8; the header row is required; columns `username,desa_code` and optionally `password`.
 *   Comma or semicolon separated (Excel in Indonesian locale saves with `;`); fields may be quoted.
 * - username: 3–64 characters of letters, digits, `.`, `_` and `-`; unique, case-insensitive,
 *   in the file and against existing accounts.
 * - desa_code: a desa/kelurahan known in the master data, 10 digits (dots allowed: 12.22.01.1001).
 *   The account is an operator whose scope is that desa (every TPS in it).
 * - password: optional, at least 10 characters and not guessable (password-policy.ts); when empty a
 *   random one is generated and returned.
 * - Blank lines and lines starting with `#` are ignored.
 * All or nothing: every line is checked first; if any is wrong nothing is written and every wrong
 * line is reported. Otherwise all accounts are created in one transaction.
 */

export interface ImportOperatorsOptions {
  /** Length of generated passwords. Default 12. */
  defaultPasswordLength?: number;
  /** Who runs the import, for the audit log (the CLI: null). */
  actor?: AuditActor | null;
}

export interface ImportedOperator {
  username: string;
  desaCode: string;
  /** The password to hand to the operator (generated or as given in the file). */
  password: string;
}

export interface ImportOperatorsResult {
  /** Empty when any line was refused. */
  created: ImportedOperator[];
  /** Every refused line (1-based line number in the file) and why. */
  skipped: { line: number; reason: string }[];
}

interface CsvRecord { line: number; cells: string[] }
interface Candidate { line: number; username: string; desaCode: string; password?: string }

const HASH_CONCURRENCY = 4;

export async function importOperators(db: SqlDatabase, csvText: string, options: ImportOperatorsOptions = {}): Promise<ImportOperatorsResult> {
  let records: CsvRecord[];
  try {
    records = parseCsvWithLines(csvText);
  } catch (err) {
    if (!(err instanceof CsvUnreadable)) throw err;
    return { created: [], skipped: [{ line: err.line, reason: err.message }] };
  }
  const [header, ...rows] = records;
  const headerError = header ? checkHeader(header.cells) : 'file kosong: baris judul username,desa_code wajib ada';
  if (headerError) return { created: [], skipped: [{ line: header?.line ?? 1, reason: headerError }] };

  const problems = new Map<number, string[]>();
  const complain = (line: number, reason: string) => problems.set(line, [...(problems.get(line) ?? []), reason]);
  const candidates = rows.flatMap((r) => {
    const c = toCandidate(r, header!.cells.length, complain);
    return c ? [c] : [];
  });
  markDuplicates(candidates, complain);
  await checkAgainstDatabase(db, candidates, complain);
  if (problems.size > 0) {
    const skipped = [...problems].sort(([a], [b]) => a - b).map(([line, reasons]) => ({ line, reason: reasons.join('; ') }));
    return { created: [], skipped };
  }

  const created = candidates.map((c) => ({
    username: c.username,
    desaCode: c.desaCode,
    password: c.password ?? generatePassword(options.defaultPasswordLength ?? 12),
  }));
  const hashes = await mapLimited(created, HASH_CONCURRENCY, (c) => hashPassword(c.password));
  const conflict = await db.transaction(async (tx) => {
    for (const [i, op] of created.entries()) {
      const id = randomUUID();
      const user = { id, username: op.username, passwordHash: hashes[i], role: 'operator' as const, scope: [op.desaCode], createdBy: options.actor?.id ?? null };
      // Someone created the same username since the check: give up the whole import.
      if (!(await insertUser(tx, user))) throw new UsernameRace(candidates[i].line, op.username);
      await recordAudit(tx, {
        actor: options.actor ?? null,
        action: 'user_created',
        target: id,
        detail: { username: op.username, role: 'operator', scope: [op.desaCode], via: 'import' },
      });
    }
  }).then(() => undefined, (err) => {
    if (err instanceof UsernameRace) return err;
    throw err;
  });
  if (conflict) return { created: [], skipped: [{ line: conflict.line, reason: `username "${conflict.username}" sudah dipakai` }] };
  return { created, skipped: [] };
}

class UsernameRace extends Error {
  constructor(readonly line: number, readonly username: string) {
    super(`username ${username} taken during import`);
  }
}

function checkHeader(cells: string[]): string | undefined {
  const names = cells.map((c) => c.trim().toLowerCase());
  const ok = names[0] === 'username' && names[1] === 'desa_code' && (names.length === 2 || (names.length === 3 && names[2] === 'password'));
  return ok ? undefined : `baris judul harus "username,desa_code" atau "username,desa_code,password", bukan "${cells.join(',')}"`;
}

function toCandidate(record: CsvRecord, columns: number, complain: (line: number, reason: string) => void): Candidate | undefined {
  const cells = record.cells.map((c) => c.trim());
  if (cells.length > columns) {
    complain(record.line, `${cells.length} kolom, seharusnya ${columns}`);
    return undefined;
  }
  const [username = '', rawDesa = '', password = ''] = cells;
  let ok = true;
  const bad = (reason: string) => {
    complain(record.line, reason);
    ok = false;
  };
  const name = CreateUserBody.shape.username.safeParse(username);
  if (!name.success) bad(`username "${username}" tidak sah: ${name.error.issues[0].message}`);
  const desaCode = normalizeCode(rawDesa);
  if (!/^[0-9]{10}$/.test(desaCode)) bad(`desa_code "${rawDesa}" bukan kode desa 10 digit`);
  if (password !== '') {
    const problem = passwordProblem(password, { username });
    if (problem) bad(`password: ${problem}`);
  }
  return ok ? { line: record.line, username, desaCode, password: password || undefined } : undefined;
}

function markDuplicates(candidates: Candidate[], complain: (line: number, reason: string) => void): void {
  const firstLine = new Map<string, number>();
  for (const c of candidates) {
    const key = c.username.toLowerCase();
    const first = firstLine.get(key);
    if (first === undefined) firstLine.set(key, c.line);
    else complain(c.line, `username "${c.username}" sudah ada di baris ${first}`);
  }
}

async function checkAgainstDatabase(db: SqlDatabase, candidates: Candidate[], complain: (line: number, reason: string) => void): Promise<void> {
  const taken = await existingUsernames(db, candidates.map((c) => c.username));
  const unknown = new Set(await unknownScopeCodes(db, [...new Set(candidates.map((c) => c.desaCode))]));
  for (const c of candidates) {
    if (taken.has(c.username.toLowerCase())) complain(c.line, `username "${c.username}" sudah dipakai`);
    if (unknown.has(c.desaCode)) complain(c.line, `desa_code ${c.desaCode} tidak dikenal`);
  }
}

/**
 * The records of the file (`csv-parse`), each with the line it starts on; the delimiter is `;` when
 * the header has semicolons and no commas. Blank lines and `#` comment lines are dropped. Throws
 * `CsvUnreadable` (with the line) on what no reader can take, such as an unclosed quote.
 */
export function parseCsvWithLines(text: string): CsvRecord[] {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  try {
    const records = parse(text, {
      bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true,
      skip_records_with_empty_values: true, comment: '#', comment_no_infix: true, record_delimiter: ['\r\n', '\n'],
    }) as unknown as ParsedRecord[];
    return records.map((r) => ({ line: startLine(r), cells: r.record }));
  } catch (err) {
    throw new CsvUnreadable(Number((err as { lines?: number }).lines) || 1, (err as Error).message);
  }
}

export class CsvUnreadable extends Error {
  constructor(readonly line: number, message: string) {
    super(`CSV tidak dapat dibaca: ${message}`);
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
