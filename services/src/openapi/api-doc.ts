import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/** A body other than JSON: photos, seal lines, the docs page. */
export interface RawContent {
  /** One media type, or the ones it may be (a photo: JPEG, PNG or WebP). */
  contentType: string | readonly string[];
  /** Its shape, when it has one (a multipart form as a zod object with `z.file()` fields). */
  schema?: z.ZodType;
}

/**
 * What the OpenAPI document says about one route, beside what Nest already knows (method, path,
 * `@HttpCode`, `@Roles`, `@Public`). Every route carries one: `test/openapi.int.spec.ts` fails for
 * a route without it. Schemas are the zod contracts themselves; a named export of
 * `@suara/contracts` becomes a named component wherever it is used.
 */
export interface ApiDocSpec {
  summary: string;
  description?: string;
  /** Path parameters' schemas; a parameter not listed is a plain string. */
  params?: Record<string, z.ZodType>;
  /** Query parameters, one per key of the object. */
  query?: z.ZodObject;
  /** JSON request body (a zod schema, read as input: defaults optional) or another content. */
  body?: z.ZodType | RawContent;
  /** Success body: JSON (a zod schema), another content, or null for none (204, 304). */
  response: z.ZodType | RawContent | null;
  /** Other success statuses with the same body, and what they mean (e.g. `{200: 'the same request again'}`). */
  alsoStatus?: Record<number, string>;
  /** Error statuses this route answers besides the ones every route may (400/401/403/429/503 as they apply). */
  errors?: number[];
  /** Statuses with no body besides the success one (a 304 answer to If-None-Match). */
  emptyStatus?: Record<number, string>;
}

export const API_DOC = 'suara:api-doc';

/** Describes a route in `/api/openapi.json` (see ApiDocSpec). */
export const ApiDoc = (spec: ApiDocSpec) => SetMetadata(API_DOC, spec);
