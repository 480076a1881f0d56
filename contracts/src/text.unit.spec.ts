import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CorrectResultBody } from './commands';
import { normalizeText, textField } from './text';

const reason = textField({ label: 'alasan koreksi', min: 5, max: 50, multiline: true });
const name = textField({ label: 'nama', max: 20 });

const issueOf = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => i.message).join(' | ');
};

describe('textField', () => {
  it('stores NFC with surrounding whitespace removed', () => {
    // "é" as e + combining acute, and CRLF line ends.
    expect(reason.parse('  salah baca e\u0301 \r\nbaris dua  ')).toBe('salah baca \u00e9 \nbaris dua');
    expect(normalizeText('Ka\u0301bupaten')).toBe('K\u00e1bupaten');
  });

  it('refuses bidi overrides, embeddings, isolates and marks, naming the field', () => {
    for (const c of ['\u202E', '\u202A', '\u2066', '\u2069', '\u200F', '\u061C']) {
      expect(issueOf(reason, `angka 01${c} salah baca`)).toBe('alasan koreksi: memuat karakter pengatur arah teks (bidi) yang tidak diizinkan');
    }
  });

  it('refuses text of only whitespace or invisible characters', () => {
    for (const blank of ['', '     ', '\u200B\u200B\u200B\u200B\u200B\u200B', '\u200C\u200D\u2060\uFEFF\u00AD', ' \t\n \u3000 ']) {
      expect(issueOf(reason, blank)).toBe('alasan koreksi: wajib diisi (tidak boleh kosong, hanya spasi atau karakter tak terlihat)');
    }
    // Visible characters padded with invisible ones do not reach the minimum either.
    expect(issueOf(reason, 'ab\u200B\u200B\u200B\u200B\u200B')).toBe('alasan koreksi: minimal 5 karakter');
  });

  it('keeps zero-width joiners inside real text (emoji sequences, scripts that need them)', () => {
    expect(reason.parse('cek ulang 👩\u200D💻 oleh Siti')).toBe('cek ulang 👩\u200D💻 oleh Siti');
  });

  it('refuses control characters, and line breaks in a one-line field', () => {
    expect(issueOf(reason, 'salah\u0000 baca')).toBe('alasan koreksi: memuat karakter kontrol yang tidak diizinkan');
    expect(issueOf(reason, 'salah\u001B[31m baca')).toBe('alasan koreksi: memuat karakter kontrol yang tidak diizinkan');
    expect(issueOf(name, 'Budi\nSantoso')).toBe('nama: harus satu baris');
  });

  it('bounds the length after normalising, and refuses what is not text', () => {
    expect(issueOf(name, 'x'.repeat(21))).toBe('nama: maksimal 20 karakter');
    expect(name.parse(`${'x'.repeat(20)}   `)).toBe('x'.repeat(20));
    expect(issueOf(name, 'x'.repeat(1000))).toBe('nama: maksimal 20 karakter');
    expect(issueOf(name, 42)).toBe('nama: harus berupa teks');
  });

  it('is what the correction body uses, with the issue at the field path', () => {
    const r = CorrectResultBody.safeParse({ expectedVersion: 1, form: {}, reason: '\u200B'.repeat(10), operatorConfirmation: 'via telepon\u202E' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['reason', 'alasan koreksi: wajib diisi (tidak boleh kosong, hanya spasi atau karakter tak terlihat)'],
      ['operatorConfirmation', 'konfirmasi operator: memuat karakter pengatur arah teks (bidi) yang tidak diizinkan'],
    ]);
    const ok = CorrectResultBody.parse({ expectedVersion: 1, form: {}, reason: ' salah salin angka ', operatorConfirmation: 'telepon, Budi' });
    expect(ok.reason).toBe('salah salin angka');
  });

  it('stays describable as JSON Schema (OpenAPI is generated from the contracts)', () => {
    expect(z.toJSONSchema(z.object({ reason }))).toMatchObject({ properties: { reason: { type: 'string' } } });
  });
});
