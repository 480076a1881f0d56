import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenApiService } from '../../services/src/openapi/openapi.service';

/** One answer the server sent, as the router saw it. */
export interface CapturedResponse {
  method: string;
  /** The route template (`/api/results/:tpsCode/:ballot`), or undefined for an unknown URL. */
  route: string | undefined;
  status: number;
  contentType: string;
  body: unknown;
}

/** Records every answer of `app` (install before `listen`, e.g. as bootApp's `beforeListen`). */
export function captureResponses(app: NestFastifyApplication, into: CapturedResponse[]): void {
  app.getHttpAdapter().getInstance().addHook('onSend', async (req, reply, payload) => {
    into.push({
      method: req.method.toLowerCase(),
      route: req.routeOptions.url,
      status: reply.statusCode,
      contentType: String(reply.getHeader('content-type') ?? ''),
      body: payload,
    });
    return payload;
  });
}

/**
 * Checks every answer of `app` against its own /api/openapi.json as it is sent, adding what does
 * not conform to `problems` (bootApp does this for every suite and fails at close).
 */
export function checkResponses(app: NestFastifyApplication, problems: Set<string>): void {
  let validate: ReturnType<typeof openApiValidator> | undefined;
  app.getHttpAdapter().getInstance().addHook('onSend', async (req, reply, payload) => {
    validate ??= openApiValidator(app.get(OpenApiService).get());
    const answer = { method: req.method.toLowerCase(), route: req.routeOptions.url, status: reply.statusCode, contentType: String(reply.getHeader('content-type') ?? ''), body: payload };
    for (const problem of validate(answer)) problems.add(problem);
    return payload;
  });
}

export type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };

/**
 * Checks an answer against the OpenAPI document: its route, method and status must be described,
 * and a JSON body must validate against the described schema (ajv, JSON Schema 2020-12 as OpenAPI
 * 3.1 uses it). Returns the problems, empty when it conforms.
 */
export function openApiValidator(document: object) {
  const spec = document as OpenApi;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec as object, 'openapi');
  // A JSON pointer segment inside a URI fragment: `~` and `/` escaped, then `{`, `}` percent-encoded.
  const escape = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
  return (r: CapturedResponse): string[] => {
    const where = `${r.method.toUpperCase()} ${r.route} → ${r.status}`;
    // An unknown URL is no route of the API: Fastify's 404, not the document's business.
    if (!r.route) return [];
    const path = r.route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    // HEAD is GET without the body (Fastify answers it for every GET route).
    const head = r.method === 'head';
    const response = spec.paths[path]?.[head ? 'get' : r.method]?.responses[r.status];
    if (!response) return [`${where}: status not in the spec`];
    if (head) return [];
    const mediaTypes = Object.keys(response.content ?? {});
    if (mediaTypes.length === 0) return r.body === '' || r.body === undefined || r.body === null ? [] : [`${where}: a body where the spec has none`];
    if (!mediaTypes.includes('application/json')) {
      const ok = mediaTypes.some((m) => r.contentType.startsWith(m.split(';')[0]!));
      return ok ? [] : [`${where}: content type ${r.contentType}, spec says ${mediaTypes.join(' | ')}`];
    }
    if (!r.contentType.startsWith('application/json')) return [`${where}: content type ${r.contentType}, spec says application/json`];
    if (!(response.content!['application/json'] as { schema?: unknown }).schema) return [];
    const pointer = `openapi#/paths/${escape(path)}/${r.method}/responses/${r.status}/content/${escape('application/json')}/schema`;
    const validate = ajv.getSchema(pointer);
    if (!validate) throw new Error(`${where}: ${pointer} does not resolve`);
    const body = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
    return validate(body) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
  };
}
