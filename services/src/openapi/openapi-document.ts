import { z } from 'zod';
import { ErrorBody, type Role } from '@suara/contracts';
import type { ApiDocSpec, RawContent } from './api-doc';

/** One HTTP route as Nest registered it, with its description when it has one. */
export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Nest's path, `:name` parameters (`/api/results/:tpsCode/:ballot`). */
  path: string;
  /** `ControllerName.method`, unique. */
  operationId: string;
  /** `@HttpCode`, else Nest's default (201 for POST, 200 otherwise). */
  status: number;
  public: boolean;
  /** `@Roles` of the route or its controller; undefined = any signed-in role. */
  roles?: readonly Role[];
  doc?: ApiDocSpec;
}

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad input: `issues` names every field that is wrong',
  401: 'No token, or one that is invalid, expired or revoked',
  403: "The caller's role or scope does not allow it",
  404: 'Not found',
  409: 'Conflict: `details` says what is stored',
  413: 'Too large',
  415: 'Not a supported image',
  429: 'Over a rate limit: `Retry-After` says when to try again',
  500: 'A stored photo is missing or damaged',
  503: 'A dependency (database, photo store, sealer) is out of reach: `Retry-After`',
};

const COMPONENT_REF = '#/components/schemas/';

/** The Nest path `/a/:b` as OpenAPI's `/a/{b}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const isRaw = (c: z.ZodType | RawContent): c is RawContent => !(c instanceof z.ZodType);

/**
 * The OpenAPI 3.1 document of the routes that carry an `@ApiDoc`. Schemas come from zod 4's own
 * JSON Schema (draft 2020-12, which is OpenAPI 3.1's dialect): every zod schema exported by
 * `@suara/contracts` that a response reaches is a named component, referenced wherever it is
 * nested; request bodies and parameters are inlined in zod's input form (defaults optional).
 */
export function buildOpenApiDocument(routes: RouteInfo[], contracts: Record<string, unknown>, info: { title: string; version: string; description: string }) {
  const registry = z.registry<{ id: string }>();
  for (const [name, value] of Object.entries(contracts)) {
    if (value instanceof z.ZodType && !registry.has(value)) registry.add(value, { id: name });
  }
  if (!registry.has(ErrorBody)) registry.add(ErrorBody, { id: 'ErrorBody' });

  const documented = routes.filter((r) => r.doc).sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  // A response schema that is not a contract export becomes a component named after its route.
  for (const route of documented) {
    const response = route.doc!.response;
    if (response && !isRaw(response) && !registry.has(response)) registry.add(response, { id: `${pascal(route.operationId)}Response` });
  }
  const converted = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', uri: (id) => `${COMPONENT_REF}${id}` });
  const all = Object.fromEntries(Object.entries(converted.schemas).map(([id, s]) => [id, stripRoot(s as JsonSchema)]));

  const ref = (schema: z.ZodType): JsonSchema => ({ $ref: `${COMPONENT_REF}${registry.get(schema)!.id}` });
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of documented) {
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route, ref);
  }
  const schemas = reachable(paths, all);
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token `POST /api/auth/login` answers (or METRICS_TOKEN for /metrics and /health)' } },
      schemas,
    },
    security: [{ bearer: [] }],
    paths,
  };
}

function operation(route: RouteInfo, ref: (s: z.ZodType) => JsonSchema): Operation {
  const doc = route.doc!;
  const pathParams = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const parameters = [
    ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: doc.params?.[name] ? inputSchema(doc.params[name]) : { type: 'string' } })),
    ...Object.entries(doc.query?.shape ?? {}).map(([name, schema]) => ({
      name, in: 'query', required: !(schema as z.ZodType).safeParse(undefined).success, schema: inputSchema(schema as z.ZodType),
    })),
  ];
  const responses: Record<string, unknown> = {};
  const success = doc.response === null ? undefined : content(doc.response, ref);
  responses[route.status] = { description: doc.summary, ...(success ? { content: success } : {}) };
  for (const [status, description] of Object.entries(doc.alsoStatus ?? {})) responses[status] = { description, ...(success ? { content: success } : {}) };
  for (const [status, description] of Object.entries(doc.emptyStatus ?? {})) responses[status] = { description };
  const mayBeBad = parameters.length > 0 || doc.body !== undefined;
  const errors = new Set<number>([
    ...(mayBeBad ? [400] : []),
    // A JSON body over BODY_LIMIT (64 kB), or a body that is not JSON.
    ...(doc.body && !isRaw(doc.body) ? [413, 415] : []),
    ...(route.public ? [] : [401]),
    ...(route.roles?.length ? [403] : []),
    // Every signed-in read counts against SUARA_READ_RATE_PER_MIN.
    ...(!route.public && route.method === 'get' ? [429] : []),
    ...(doc.errors ?? []),
    503,
  ]);
  for (const status of [...errors].sort((a, b) => a - b)) {
    if (responses[status]) continue; // a documented answer of its own (a degraded /health is a HealthView)
    responses[status] = { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: ref(ErrorBody) } } };
  }
  const who = route.public ? 'Anyone, no token.' : route.roles?.length ? `Roles: ${route.roles.join(', ')}.` : 'Any signed-in role.';
  return {
    operationId: route.operationId,
    tags: [tagOf(route.path)],
    summary: doc.summary,
    description: [doc.description, who].filter(Boolean).join('\n\n'),
    ...(route.roles?.length ? { 'x-roles': route.roles } : {}),
    ...(route.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: content(doc.body, inputSchema) } } : {}),
    responses,
  };
}

function content(c: z.ZodType | RawContent, schemaOf: (s: z.ZodType) => JsonSchema): Record<string, { schema?: JsonSchema }> {
  if (!isRaw(c)) return { 'application/json': { schema: schemaOf(c) } };
  const schema = c.schema ? { schema: inputSchema(c.schema) } : {};
  return Object.fromEntries([c.contentType].flat().map((type) => [type, schema]));
}

/** What a client sends: zod's input side, inlined. */
function inputSchema(schema: z.ZodType): JsonSchema {
  return stripRoot(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', reused: 'inline' }) as JsonSchema);
}

/** `$schema` and `$id` belong to a standalone schema, not to one inside the document. */
function stripRoot(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** The components the paths reference, and the ones those reference, by name. */
function reachable(paths: unknown, all: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) {
        const id = value.slice(COMPONENT_REF.length);
        if (!seen.has(id)) {
          seen.add(id);
          visit(all[id]);
        }
      } else visit(value);
    }
  };
  visit(paths);
  return Object.fromEntries([...seen].sort().map((id) => [id, all[id]]));
}

/** `/api/admin/users` → admin, `/api/results/…` → results, `/health` → operations. */
function tagOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[0] === 'api' && parts[1] ? parts[1] : 'operations';
}

const pascal = (operationId: string): string =>
  operationId.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('').replace(/Controller/g, '');
