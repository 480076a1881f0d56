import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { Public } from '../identity/auth.decorators';
import { ApiDoc } from './api-doc';
import { OpenApiService } from './openapi.service';

/**
 * The docs page is Swagger UI from the swagger-ui-dist package, served from node_modules: no CDN,
 * and no inline script, so it runs under the app's CSP (`default-src 'self'`). Only BaseLayout
 * (no top bar that would load other URLs) and no online validator badge.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>suara API</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout',
});
`;

const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'));
const ASSETS = { 'swagger-ui.css': 'text/css; charset=utf-8', 'swagger-ui-bundle.js': 'text/javascript; charset=utf-8', 'init.js': 'text/javascript; charset=utf-8' } as const;
const Asset = z.enum(Object.keys(ASSETS) as [keyof typeof ASSETS]);

/** `GET /api/openapi.json` and the page that reads it, `GET /api/docs`. Public: the API's shape is no secret. */
@Controller('api')
@Public()
export class OpenApiController {
  constructor(private readonly openapi: OpenApiService) {}

  @Get('openapi.json')
  @ApiDoc({ summary: 'This document: OpenAPI 3.1, generated from the zod contracts', response: { contentType: 'application/json' } })
  document(): unknown {
    return this.openapi.get();
  }

  @Get('docs')
  @ApiDoc({ summary: 'A readable page of this document (Swagger UI, served locally)', response: { contentType: 'text/html' } })
  page(@Res() reply: FastifyReply): void {
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE);
  }

  @Get('docs/:asset')
  @ApiDoc({ summary: "The docs page's script and style", params: { asset: Asset }, response: { contentType: ['text/javascript', 'text/css'] }, errors: [404] })
  asset(@Param('asset') name: string, @Res() reply: FastifyReply): void {
    const asset = Asset.safeParse(name);
    if (!asset.success) throw new ApiError(404, 'not_found', 'Alamat tidak ditemukan');
    void reply.type(ASSETS[asset.data]).header('cache-control', 'public, max-age=3600');
    void reply.send(asset.data === 'init.js' ? INIT : createReadStream(join(SWAGGER_DIR, asset.data)));
  }
}
