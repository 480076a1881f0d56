import { Injectable } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import * as contracts from '@suara/contracts';
import type { Role } from '@suara/contracts';
import { IS_PUBLIC, ROLES } from '../identity/auth.decorators';
import { API_DOC, type ApiDocSpec } from './api-doc';
import { buildOpenApiDocument, type RouteInfo } from './openapi-document';

const INFO = {
  title: 'suara',
  version: '2',
  description:
    'Event-sourced real-time quick count: C.Hasil submissions, verification, live tallies and the quick count. ' +
    'Sign in with `POST /api/auth/login` and send the token as `Authorization: Bearer <token>`. ' +
    'Every error has the body `ErrorBody`; live tallies are pushed over socket.io on `/live` (see docs/API.md).',
};

const METHODS: Partial<Record<RequestMethod, RouteInfo['method']>> = {
  [RequestMethod.GET]: 'get', [RequestMethod.POST]: 'post', [RequestMethod.PUT]: 'put', [RequestMethod.PATCH]: 'patch', [RequestMethod.DELETE]: 'delete',
};

/**
 * `GET /api/openapi.json`: built once from what Nest knows of every controller (paths, methods,
 * status codes, roles) and each route's `@ApiDoc` (its zod contracts). A new route needs only
 * its `@ApiDoc` line to appear here.
 */
@Injectable()
export class OpenApiService {
  private document?: ReturnType<typeof buildOpenApiDocument>;

  constructor(private readonly discovery: DiscoveryService, private readonly scanner: MetadataScanner, private readonly reflector: Reflector) {}

  get(): ReturnType<typeof buildOpenApiDocument> {
    this.document ??= buildOpenApiDocument(this.routes(), contracts, INFO);
    return this.document;
  }

  /** Every HTTP route of every controller, documented or not. */
  routes(): RouteInfo[] {
    return this.discovery.getControllers().flatMap(({ metatype, instance }) => {
      if (!metatype || !instance) return [];
      const prefix = first(Reflect.getMetadata(PATH_METADATA, metatype));
      const proto = Object.getPrototypeOf(instance) as object;
      return this.scanner.getAllMethodNames(proto).flatMap((name): RouteInfo[] => {
        const handler = (proto as Record<string, unknown>)[name] as object;
        const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (!method || path === undefined) return [];
        const targets = [handler as () => void, metatype];
        return [{
          method,
          path: `/${[prefix, first(path)].filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1'),
          operationId: `${metatype.name}.${name}`,
          status: (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'post' ? 201 : 200),
          public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
          roles: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets),
          doc: this.reflector.get<ApiDocSpec | undefined>(API_DOC, handler as () => void),
        }];
      });
    });
  }
}

const first = (p: string | string[] | undefined): string => (Array.isArray(p) ? (p[0] ?? '') : (p ?? '')).replace(/^\/|\/$/g, '');
