import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

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

type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };

/**
 * Checks an answer against the OpenAPI document: its route, method and status must be described,
 * and a JSON body must validate against the described schema (ajv, JSON Schema 2020-12 as OpenAPI
 * 3.1 uses it). Returns the problems, empty when it conforms.
 */
export function openApiValidator(spec: OpenApi) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec as object, 'openapi');
  // A JSON pointer segment inside a URI fragment: `~` and `/` escaped, then `{`, `}` percent-encoded.
  const escape = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
  return (r: CapturedResponse): string[] => {
    const where = `${r.method.toUpperCase()} ${r.route} → ${r.status}`;
    if (!r.route) return [`${where}: no route`];
    const path = r.route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const response = spec.paths[path]?.[r.method]?.responses[r.status];
    if (!response) return [`${where}: status not in the spec`];
    const mediaTypes = Object.keys(response.content ?? {});
    if (mediaTypes.length === 0) return r.body === '' || r.body === undefined || r.body === null ? [] : [`${where}: a body where the spec has none`];
    if (!mediaTypes.includes('application/json')) {
      const ok = mediaTypes.some((m) => m.split(',').some((t) => r.contentType.startsWith(t.trim().split(';')[0])));
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
