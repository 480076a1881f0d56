import { HttpException } from '@nestjs/common';
import type { ErrorBody, Issue } from '@suara/contracts';

/**
 * An error with the API's shape `{error, message, issues?}` (API.md). Throw it anywhere in a
 * request; the global filter answers with exactly this body and status.
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
    /** What is stored, for a conflict: lets a client explain the 409 without another request. */
    readonly details?: Record<string, unknown>,
  ) {
    super({ error: code, message, ...(issues ? { issues } : {}), ...(details ? { details } : {}) } satisfies ErrorBody, status);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} tidak ditemukan`);
export const forbidden = (message = 'Anda tidak berhak melakukan ini') => new ApiError(403, 'forbidden', message);
export const badRequest = (issues: Issue[], message = 'Data tidak valid') => new ApiError(400, 'invalid_input', message, issues);
