/*
 * CSV for people who open it in a spreadsheet. Excel in the Indonesian locale splits on `;` (the
 * decimal mark is the comma), so that is the default; a comma variant exists for other tools. A
 * UTF-8 BOM makes Excel read names with accents right.
 */

export type CsvSeparator = ';' | ',';

/**
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) or that hides one behind a
 * tab or carriage return gets a leading apostrophe: shown as text, never executed (CSV injection,
 * OWASP). Numbers are written as numbers and never need it.
 */
export function neutraliseCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(value: string | number | null | undefined, separator: CsvSeparator): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return separator === ';' ? String(value).replace('.', ',') : String(value);
  const text = neutraliseCell(value);
  return text.includes(separator) || /["\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>, separator: CsvSeparator = ';', bom = true): string {
  return (bom ? '\ufeff' : '') + rows.map((r) => r.map((c) => csvField(c, separator)).join(separator)).join('\r\n') + '\r\n';
}
