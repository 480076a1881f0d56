import { HttpException } from '@nestjs/common';
import { MAX_LISTED_ISSUES, type ErrorBody, type Issue } from '@suara/contracts';

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
    const listed = issues ? boundIssues(issues) : undefined;
    const more = listed ? { moreIssues: listed.more } : {};
    super(
      {
        error: code,
        message: listed?.more ? `${message} (${listed.more} masalah lain tidak dicantumkan)` : message,
        ...(listed ? { issues: listed.issues } : {}),
        ...(listed?.more ? more : {}),
        ...(details ? { details } : {}),
      } satisfies ErrorBody,
      status,
    );
  }
}

/** Longest path echoed back: a key name is the client's own text, and can be 60 kB long. */
const MAX_PATH = 120;

/** At most MAX_LISTED_ISSUES issues, paths shortened; `more` counts what was left out. */
export function boundIssues<I extends { path?: string }>(issues: I[]): { issues: I[]; more: number } {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => (i.path && i.path.length > MAX_PATH ? { ...i, path: `${i.path.slice(0, MAX_PATH)}…` } : i));
  return { issues: listed, more: issues.length - listed.length };
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} tidak ditemukan`);
export const forbidden = (message = 'Anda tidak berhak melakukan ini') => new ApiError(403, 'forbidden', message);
export const badRequest = (issues: Issue[], message = 'Data tidak valid') => new ApiError(400, 'invalid_input', message, issues);
