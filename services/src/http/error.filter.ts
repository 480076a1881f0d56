import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isDatabaseUnavailable } from '../db/unavailable';
import { RepeatedWarning } from '../logger';
import { ApiError } from './api-error';

/**
 * PostgreSQL refuses text it cannot hold: a NUL byte in text (22021), `\u0000` in jsonb (22P05),
 * a lone surrogate escape in jsonb (22P02 for type json). Only request text gets there, wherever
 * it slipped past validation (e.g. a login name recorded in the audit log): a 400, not a 500.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

export function isUnstorableText(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code !== 'string') return false;
  return UNSTORABLE_TEXT_CODES.has(e.code) || (e.code === '22P02' && /type json/i.test(String(e.message)));
}

/**
 * Every error leaves as `{error, message, issues?}` (API.md) and never with a stack trace.
 * Fastify's own errors (body too large, bad JSON, wrong content type) keep their 4xx status.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');
  private readonly unavailable = new RepeatedWarning((line) => this.log.warn(line));

  catch(err: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = this.describe(err);
    if (status === 503) this.unavailable.warn(`database unavailable: ${err instanceof Error ? err.message : String(err)}`);
    else if (status >= 500) this.log.error(err instanceof Error ? err.stack ?? err.message : String(err));
    for (const [k, v] of Object.entries(headers ?? {})) reply.header(k, v);
    reply.status(status).send(body);
  }

  private describe(err: unknown): { status: number; body: object; headers?: Record<string, string> } {
    if (err instanceof ApiError) return { status: err.getStatus(), body: err.getResponse() as object, headers: err.headers };
    if (err instanceof HttpException) {
      // Nest's own (e.g. "Cannot GET /api/<whatever was asked>") would echo the request: a fixed sentence per status.
      const status = err.getStatus();
      return { status, body: { error: httpCode(status), message: STATUS_MESSAGES[status] ?? 'Permintaan tidak dapat diproses' } };
    }
    const fastifyErr = err as { statusCode?: number; code?: string; message?: string };
    if (typeof fastifyErr?.statusCode === 'number' && fastifyErr.statusCode >= 400 && fastifyErr.statusCode < 500) {
      return { status: fastifyErr.statusCode, body: { error: httpCode(fastifyErr.statusCode), message: fastifyMessage(fastifyErr) } };
    }
    if (isUnstorableText(err)) {
      return { status: 400, body: { error: 'invalid_input', message: 'Isi permintaan memuat karakter yang tidak dapat disimpan (mis. karakter NUL)' } };
    }
    if (isDatabaseUnavailable(err)) {
      return {
        status: 503,
        body: { error: 'database_unavailable', message: 'Basis data sedang tidak tersedia; coba lagi sebentar lagi' },
        headers: { 'retry-after': '5' },
      };
    }
    return { status: 500, body: { error: 'internal_error', message: 'Terjadi kesalahan pada server' } };
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Permintaan tidak valid',
  401: 'Silakan masuk',
  403: 'Anda tidak berhak melakukan ini',
  404: 'Alamat tidak ditemukan',
  405: 'Metode tidak diizinkan untuk alamat ini',
  413: 'Isi permintaan terlalu besar',
  414: 'Alamat permintaan terlalu panjang',
  415: 'Jenis konten tidak didukung; kirim application/json',
  429: 'Terlalu banyak permintaan; coba lagi sebentar lagi',
};

function fastifyMessage(err: { statusCode?: number; code?: string; message?: string }): string {
  if (err.statusCode === 413) return 'Isi permintaan terlalu besar';
  if (err.statusCode === 415) return 'Jenis konten tidak didukung; kirim application/json';
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || /JSON/i.test(err.message ?? '')) return 'Isi permintaan bukan JSON yang sah';
  return 'Permintaan tidak valid';
}

const CODES: Record<number, string> = {
  400: 'invalid_input', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 413: 'payload_too_large', 414: 'uri_too_long', 415: 'unsupported_media_type', 429: 'too_many_requests',
};
const httpCode = (status: number) => CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
