import { parse } from 'csv-parse/sync';

/** One data line of a CSV file: its values keyed by the header's column names, and the line it starts on. */
export interface CsvRow {
  /** 1-based line in the file where the record starts (a quoted field may span lines). */
  line: number;
  values: Record<string, string>;
}

/** A line the reader could not take: wrong number of fields, an unclosed quote, a missing column. */
export interface CsvProblem {
  line: number;
  field?: string;
  message: string;
}

export interface CsvTable {
  columns: string[];
  rows: CsvRow[];
  problems: CsvProblem[];
}

/**
 * Reads a CSV file with `csv-parse` (RFC 4180: quoted fields with commas, line breaks and "" escapes;
 * a UTF-8 BOM; CRLF or LF, mixed too), the first line being the header. Blank lines are skipped and every value
 * is trimmed. A line with another number of fields than the header is listed as a problem and left
 * out, and reading goes on, so one pass lists every such line; only an unclosed quote stops the file.
 */
export function readCsvTable(text: string, requiredColumns: readonly string[] = []): CsvTable {
  let records: ParsedRecord[];
  try {
    // Both line ends, even mixed in one file (a CRLF file with lines added in an LF editor).
    records = parse(text, {
      bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, record_delimiter: ['\r\n', '\n'],
    }) as unknown as typeof records;
  } catch (err) {
    const line = Number((err as { lines?: number }).lines) || 1;
    return { columns: [], rows: [], problems: [{ line, message: `CSV tidak dapat dibaca: ${(err as Error).message}` }] };
  }
  const [header, ...body] = records;
  if (!header) return { columns: [], rows: [], problems: [{ line: 1, message: 'file kosong: baris judul wajib ada' }] };
  const columns = header.record.map((c) => c.trim());
  const problems: CsvProblem[] = requiredColumns
    .filter((c) => !columns.includes(c))
    .map((c) => ({ line: startLine(header), field: c, message: `kolom ${c} tidak ada di baris judul` }));
  const rows: CsvRow[] = [];
  for (const r of body) {
    const line = startLine(r);
    if (r.record.length !== columns.length) {
      problems.push({ line, message: `${r.record.length} kolom, baris judul punya ${columns.length} (koma di dalam isian harus diberi tanda kutip)` });
      continue;
    }
    rows.push({ line, values: Object.fromEntries(columns.map((c, i) => [c, r.record[i]])) });
  }
  return { columns, rows, problems };
}

/** A record as csv-parse gives it with `info: true`. */
export interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** csv-parse counts the line a record ends on; a quoted field holding line breaks started that many lines earlier. */
export function startLine({ record, info }: ParsedRecord): number {
  let breaks = 0;
  for (const field of record) for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) breaks++;
  return info.lines - breaks;
}

/** The values of every readable line (for callers that trust the file, e.g. the repo's own fixture in specs). */
export function readCsvValues(text: string): Record<string, string>[] {
  return readCsvTable(text).rows.map((r) => r.values);
}
