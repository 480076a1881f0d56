import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Ballot, PHOTO_CONTENT_TYPES, PhotoView, Sha256Hex, TpsCode } from '@suara/contracts';
import { z } from 'zod';
import { parseParam } from '../http/parse-body';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { CheckedTps, TpsAccess, type Checked } from '../identity/tps-access';
import { BLOB_STORE } from './blob-store.factory';
import type { BlobStore } from './blob-store.port';
import { receivePhoto } from './photo-upload';
import { etagOf, PhotoService } from './photo.service';
import { ApiDoc } from '../openapi/api-doc';

const Size = z.enum(['thumb']).optional();

/** Photos of the C.Hasil sheets (API.md version 2, "Evidence"). */
@Controller('api')
export class PhotosController {
  constructor(
    private readonly photos: PhotoService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /** `multipart/form-data`: field `photo` (JPEG, PNG or WebP, at most 15 MB), optional `page`. 201 new, 200 the same bytes again. */
  @Post('results/:tpsCode/:ballot/photos')
  @Roles('operator', 'verifier')
  // The photo budget is taken before a byte of the body is read.
  @TpsAccess({ from: 'result', budget: 'photos' })
  @ApiDoc({
    summary: 'Attach a photo of the C.Hasil sheet (JPEG, PNG or WebP, at most 15 MB)',
    params: { tpsCode: TpsCode, ballot: Ballot },
    body: { contentType: 'multipart/form-data', schema: z.object({ photo: z.file(), page: z.number().int().min(1).max(50).optional() }) },
    response: PhotoView,
    alsoStatus: { 200: 'The same bytes again for this result: the first answer' },
    errors: [404, 409, 413, 415, 429],
  })
  async upload(
    @CheckedTps() { tpsCode, ballot }: Checked, @CurrentUser() user: AuthUser,
    @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PhotoView> {
    const staged = await receivePhoto(req, this.blobs.stagingDir);
    const { created, body } = await this.photos.attach(user, req.id, { tpsCode, ballot }, staged);
    reply.status(created ? 201 : 200);
    return body;
  }

  /** The photo (`?size=thumb`: at most 480 px wide), checked against its hash; 404 for a hash the caller may not see. */
  @Get('photos/:sha256')
  @Roles('operator', 'verifier', 'official', 'admin')
  @ApiDoc({
    summary: 'A photo, checked against its hash before a byte is sent (`?size=thumb`: at most 480 px wide)',
    params: { sha256: Sha256Hex },
    query: z.object({ size: Size }),
    response: { contentType: PHOTO_CONTENT_TYPES },
    emptyStatus: { 304: 'If-None-Match matched the ETag' },
    errors: [404, 500],
  })
  async read(@Param('sha256') rawSha: string, @Query('size') rawSize: unknown, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const sha256 = parseParam(Sha256Hex, rawSha, 'sha256');
    const size = parseParam(Size, rawSize, 'size') ?? 'full';
    const contentType = await this.photos.requireVisible(user, sha256);
    const etag = etagOf(sha256, size);
    reply.header('etag', etag).header('cache-control', 'private, max-age=31536000, immutable').header('vary', 'Authorization');
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    const photo = await this.photos.read(sha256, contentType, size);
    return reply
      .type(photo.contentType)
      .header('content-disposition', `inline; filename="${sha256.slice(0, 16)}${size === 'thumb' ? '-thumb' : ''}.${photo.contentType.split('/')[1].replace('jpeg', 'jpg')}"`)
      .send(photo.bytes);
  }
}
