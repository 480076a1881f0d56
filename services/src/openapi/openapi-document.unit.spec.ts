import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorBody, Flag, ResultView, TpsCode } from '@suara/contracts';
import { buildOpenApiDocument, openApiPath, type RouteInfo } from './openapi-document';

const INFO = { title: 't', version: '1', description: 'd' };
const contracts = { ErrorBody, Flag, ResultView, TpsCode };
const route = (over: Partial<RouteInfo>): RouteInfo => ({ method: 'get', path: '/api/x', operationId: 'XController.get', status: 200, public: false, ...over });

describe('buildOpenApiDocument', () => {
  it('writes Nest paths as OpenAPI paths', () => {
    expect(openApiPath('/api/results/:tpsCode/:ballot/history')).toBe('/api/results/{tpsCode}/{ballot}/history');
  });

  it('leaves out routes without @ApiDoc, so the route test names them', () => {
    const doc = buildOpenApiDocument([route({ path: '/api/a', doc: { summary: 'a', response: null } }), route({ path: '/api/b' })], contracts, INFO);
    expect(Object.keys(doc.paths)).toEqual(['/api/a']);
  });

  it('names contract schemas as components, referenced where nested, and only those reached', () => {
    const doc = buildOpenApiDocument([route({ doc: { summary: 's', response: ResultView.array() } })], contracts, INFO);
    const ok = (doc.paths['/api/x'].get.responses as Record<string, { content: Record<string, { schema: unknown }> }>)['200'];
    expect(ok.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/XGetResponse' });
    expect(doc.components.schemas.XGetResponse).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/ResultView' } });
    expect(JSON.stringify(doc.components.schemas.ResultView)).toContain('"$ref":"#/components/schemas/Flag"');
    expect(doc.components.schemas).not.toHaveProperty('TpsCode'); // exported but used by no answer
    expect(doc.components.schemas.ResultView).not.toHaveProperty('$schema');
  });

  it('derives security, roles, parameters and the error answers each route may give', () => {
    const doc = buildOpenApiDocument(
      [
        route({ method: 'post', path: '/api/r/:tpsCode', status: 201, roles: ['operator'], doc: {
          summary: 'submit', params: { tpsCode: TpsCode }, body: z.strictObject({ n: z.number().default(1) }), response: Flag, alsoStatus: { 200: 'again' }, errors: [409],
        } }),
        route({ path: '/health', public: true, doc: { summary: 'h', query: z.object({ q: z.string().optional(), must: z.string() }), response: Flag } }),
      ],
      contracts,
      INFO,
    );
    const post = doc.paths['/api/r/{tpsCode}'].post as Record<string, any>;
    expect(Object.keys(post.responses).sort()).toEqual(['200', '201', '400', '401', '403', '409', '413', '415', '503']);
    expect(post.responses['409'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(post['x-roles']).toEqual(['operator']);
    expect(post.security).toBeUndefined(); // the document's default: bearer
    expect(post.parameters).toEqual([{ name: 'tpsCode', in: 'path', required: true, schema: expect.objectContaining({ type: 'string' }) }]);
    // A body is what the client sends: a field with a default is optional.
    expect(post.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(post.requestBody.content['application/json'].schema.required ?? []).not.toContain('n');
    const health = doc.paths['/health'].get as Record<string, any>;
    expect(health.security).toEqual([]);
    expect(Object.keys(health.responses).sort()).toEqual(['200', '400', '503']);
    expect(health.parameters.map((p: { name: string; required: boolean }) => [p.name, p.required])).toEqual([['q', false], ['must', true]]);
  });
});
