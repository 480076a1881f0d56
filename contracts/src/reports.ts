import { z } from 'zod';
import { Ballot } from './ids';

/** What every exported recap says on each page or sheet. */
export const REPORT_NOTICE = 'BUKAN HASIL RESMI KPU — DATA INTERNAL';

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * `GET /api/reports/:regionCode?ballot=PPWP&format=pdf|xlsx|csv&separator=semicolon|comma`.
 * CSV is semicolon-separated by default (what Excel in the Indonesian locale opens), comma on request.
 */
export const ReportQuery = z.strictObject({
  ballot: Ballot.default('PPWP'),
  format: z.enum(REPORT_FORMATS),
  separator: z.enum(['semicolon', 'comma']).default('semicolon'),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

/** `GET /api/admin/audit?limit=&before=&action=&actor=&target=`: a page of the audit log, newest first. */
export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** An entry id: only older entries (paging back). */
  before: z.coerce.number().int().min(1).optional(),
  /** Exact action, e.g. `login_failed` or `report_exported`. */
  action: z.string().trim().min(1).max(64).optional(),
  /** Exact username of who did it (case-insensitive). */
  actor: z.string().trim().min(1).max(64).optional(),
  /** Exact target: a user id, a region code… */
  target: z.string().trim().min(1).max(200).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** Largest operator CSV `POST /api/admin/users/import` takes: about 1,500 lines, within the 64 kB body limit. */
export const MAX_IMPORT_CSV_CHARS = 60_000;

/** `POST /api/admin/users/import` `{csv}`: operator accounts from a CSV file, all or nothing (see the README). */
export const ImportUsersBody = z.strictObject({
  csv: z.string().min(1, 'csv: wajib diisi').max(MAX_IMPORT_CSV_CHARS, `csv: paling banyak ${MAX_IMPORT_CSV_CHARS} karakter`),
});
export type ImportUsersBody = z.infer<typeof ImportUsersBody>;

/**
 * `201`: every account created, each with its password (shown this once). When any line is wrong
 * nothing is created: `400 invalid_import` with one issue per wrong line (`path` "baris 3").
 */
export const ImportUsersResult = z.object({
  created: z.array(z.object({ username: z.string(), desaCode: z.string(), password: z.string() })),
});
export type ImportUsersResult = z.infer<typeof ImportUsersResult>;
