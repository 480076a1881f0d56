import { z } from 'zod';

/**
 * Free text typed by people (reasons, notes, names): one set of rules for every such field, so what
 * a verifier reads is what was meant and nothing hides in it.
 *
 * - Unicode NFC, so "é" typed as one code point or as "e" + accent is stored and compared alike;
 *   leading and trailing whitespace removed.
 * - Bidirectional controls refused (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): an
 *   override can make "01 → 120" display as something else (Trojan Source, CVE-2021-42574).
 * - Other control characters refused (NUL, escape…); line breaks and tabs only in multi-line fields.
 * - Text of nothing but whitespace and invisible characters (zero-width space, joiners, BOM,
 *   soft hyphen…) counts as empty.
 * Every message names the field in Indonesian, e.g. "alasan koreksi: wajib diisi".
 */
export interface TextFieldOptions {
  /** The field as people call it, in Indonesian: "alasan koreksi", "catatan", "nama". */
  label: string;
  /** Fewest visible characters; default 1 (may not be empty). */
  min?: number;
  /** Most characters after normalising. */
  max: number;
  /** Line breaks (and tabs) allowed; default false. */
  multiline?: boolean;
}

// Bidi embeddings, overrides, isolates and marks.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
// C0/C1 controls and DEL, except tab, line feed and carriage return (allowed where multiline).
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const LINE_BREAKS = /[\t\n\r\u2028\u2029]/u;
// Whitespace and every default-ignorable code point (ZWSP, ZWJ/ZWNJ, word joiner, BOM, soft hyphen, variation selectors…).
const INVISIBLE = /[\s\p{Default_Ignorable_Code_Point}]/gu;

/** NFC, line endings as "\n", surrounding whitespace removed. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/** The first problem of already normalised text, in Indonesian without the label; undefined when fine. */
export function textProblem(value: string, options: Omit<TextFieldOptions, 'label'>): string | undefined {
  const { min = 1, max, multiline = false } = options;
  if (BIDI_CONTROLS.test(value)) return 'memuat karakter pengatur arah teks (bidi) yang tidak diizinkan';
  if (CONTROLS.test(value)) return 'memuat karakter kontrol yang tidak diizinkan';
  if (!multiline && LINE_BREAKS.test(value)) return 'harus satu baris';
  const visible = value.replace(INVISIBLE, '').length;
  if (visible === 0) return min > 0 ? 'wajib diisi (tidak boleh kosong, hanya spasi atau karakter tak terlihat)' : undefined;
  if (visible < min) return `minimal ${min} karakter`;
  if (value.length > max) return `maksimal ${max} karakter`;
  return undefined;
}

/**
 * A zod schema for a free-text field: parses to the normalised text, or fails with one issue
 * naming the field. Optional empty text (`min: 0`) parses to "".
 */
export function textField(options: TextFieldOptions) {
  const { label } = options;
  return (
    z
      .string({ error: `${label}: harus berupa teks` })
      // Bounds the work before normalising; NFC of a valid text never grows it more than threefold.
      .max(options.max * 4, { message: `${label}: maksimal ${options.max} karakter`, abort: true })
      .overwrite(normalizeText)
      .superRefine((value, ctx) => {
        const problem = textProblem(value, options);
        if (problem) ctx.addIssue({ code: 'custom', message: `${label}: ${problem}` });
      })
  );
}
