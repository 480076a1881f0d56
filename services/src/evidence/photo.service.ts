import { rm } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Ballot, PhotoContentType, PhotoView } from '@suara/contracts';
import { ElectionService } from '../election/election.service';
import { ApiError, notFound } from '../http/api-error';
import type { AuthUser } from '../identity/auth.decorators';
import { canAccessTps } from '../identity/scope';
import { BLOB_STORE } from './blob-store.factory';
import { BlobIntegrityError, BlobNotFoundError, sha256Of, type BlobStore } from './blob-store.port';
import { AttachPhotoCommand } from './evidence.commands';
import { PhotoAccessRepository } from './photo-access.repository';
import { describeImage, inspectPhoto, makeCleanCopy, makeThumbnail, UnsupportedImageError, type EncodedImage, type InspectedPhoto } from './photo-image';
import type { StagedPhoto } from './photo-upload';
import { PhotoVariantsRepository, type PhotoVariant, type StoredVariant } from './photo-variants.repository';
import { photosReceived } from '../metrics/metrics';

export type PhotoSize = 'full' | 'thumb';

export interface ServedPhoto {
  bytes: Buffer;
  contentType: PhotoContentType;
}

/** The ETag of a photo: its SHA-256 (the thumbnail's says so, as a different representation). */
export const etagOf = (sha256: string, size: PhotoSize) => `"${size === 'thumb' ? `${sha256}-thumb` : sha256}"`;

/** The photo store could not be reached (S3 down, a network fault): the client retries later, as for the database. */
const storeUnavailable = () =>
  new ApiError(503, 'photo_store_unavailable', 'Penyimpanan foto sedang tidak tersedia; coba lagi sebentar lagi', undefined, { 'retry-after': '5' });

/** Runs a blob store call, answering 503 (not 500) when the store is out of reach. */
async function reaching<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof BlobIntegrityError || err instanceof BlobNotFoundError) throw err;
    const e = err as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND'].includes(e.code ?? '') || e.name === 'TimeoutError' || (status !== undefined && status >= 500)) {
      throw storeUnavailable();
    }
    throw err;
  }
}

const asVariant = (image: EncodedImage): StoredVariant => ({
  sha256: sha256Of(image.bytes), contentType: image.contentType, bytes: image.bytes.length, width: image.width, height: image.height,
});

/**
 * Photos of the C.Hasil sheets: an upload is checked to be an image, stored by its SHA-256 with its
 * thumbnail, then attached to the result by an event; a read is allowed to whoever may read a result
 * carrying the photo, and serves bytes that were checked against their hash.
 */
@Injectable()
export class PhotoService {
  private readonly log = new Logger('evidence');

  constructor(
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly variants: PhotoVariantsRepository,
    private readonly access: PhotoAccessRepository,
    private readonly commands: CommandBus,
    private readonly election: ElectionService,
  ) {}

  /**
   * Stores a staged upload and attaches it. Nothing is stored for a file that is not a JPEG, PNG or
   * WebP; the blob is stored before the event, so an event never names a blob that is not there.
   */
  async attach(user: AuthUser, requestId: string, key: { tpsCode: string; ballot: Ballot }, staged: StagedPhoto): Promise<{ created: boolean; body: PhotoView }> {
    try {
      const image = await this.inspect(staged.path);
      await reaching(() => this.blobs.putFile(staged.sha256, staged.path, image.contentType));
      await this.storeVariant(staged.sha256, 'thumb', image.thumbnail);
      if (!image.needsCleanCopy) {
        await this.variants.save(staged.sha256, 'display', {
          sha256: staged.sha256, contentType: image.contentType, bytes: staged.bytes, width: image.width, height: image.height,
        });
      }
      const photo = { sha256: staged.sha256, contentType: image.contentType, bytes: staged.bytes, width: image.width, height: image.height, page: staged.page };
      const attached = await this.commands.execute(new AttachPhotoCommand(user, requestId, key.tpsCode, key.ballot, photo));
      photosReceived.inc({ outcome: attached.created ? 'stored' : 'duplicate' });
      return attached;
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  /** The photo's type; 404 unless the user may read a result of the active election that carries it. */
  async requireVisible(user: AuthUser, sha256: string): Promise<PhotoContentType> {
    const carriers = await this.access.resultsCarrying(await this.election.activeElectionId(), sha256);
    const visible = carriers.find((c) => canAccessTps(user, c.tpsCode));
    if (!visible) throw notFound('Foto');
    return visible.contentType;
  }

  /**
   * The bytes served for a photo the caller may see (`requireVisible` first, which gives its type).
   * The full size is shown only while the original itself is intact: it is read and checked on
   * every such request, even when a copy without metadata is what is sent.
   */
  async read(sha256: string, contentType: PhotoContentType, size: PhotoSize): Promise<ServedPhoto> {
    const variant: PhotoVariant = size === 'thumb' ? 'thumb' : 'display';
    const checked = variant === 'display' ? await this.original(sha256) : undefined;
    const stored = await this.variants.find(sha256, variant);
    if (stored && stored.sha256 !== sha256) {
      try {
        return { bytes: await reaching(() => this.blobs.get(stored.sha256)), contentType: stored.contentType };
      } catch (err) {
        if (!(err instanceof BlobIntegrityError || err instanceof BlobNotFoundError)) throw err;
        // A derived copy is a cache: make it again from the original, which is checked in turn.
        this.log.warn(`${variant} of photo ${sha256}: ${err.message}; making it again`);
      }
    }
    const original = { bytes: checked ?? (await this.original(sha256)), contentType };
    if (stored?.sha256 === sha256) return original;
    return this.derive(sha256, variant, original);
  }

  /** Makes a missing or damaged variant (after a restore, or the first view of a photo with metadata). */
  private async derive(sha256: string, variant: PhotoVariant, original: ServedPhoto): Promise<ServedPhoto> {
    if (variant === 'display') {
      const { width, height, needsCleanCopy } = await describeImage(original.bytes);
      if (!needsCleanCopy) {
        await this.variants.save(sha256, 'display', { sha256, contentType: original.contentType, bytes: original.bytes.length, width, height });
        return original;
      }
    }
    const made = variant === 'thumb' ? await makeThumbnail(original.bytes) : await makeCleanCopy(original.bytes, original.contentType);
    await this.storeVariant(sha256, variant, made);
    return { bytes: made.bytes, contentType: made.contentType };
  }

  /** The original bytes, checked; a damaged or missing original is a real fault: logged, never served. */
  private async original(sha256: string): Promise<Buffer> {
    try {
      return await reaching(() => this.blobs.get(sha256));
    } catch (err) {
      if (err instanceof BlobIntegrityError) {
        this.log.error(`photo ${sha256} refused: ${err.message}`);
        throw new ApiError(500, 'photo_damaged', 'Foto ini rusak atau telah diubah: isinya tidak cocok dengan hash SHA-256-nya, jadi tidak ditampilkan. Laporkan ke admin (npm run suara -- verify-chain).');
      }
      if (err instanceof BlobNotFoundError) {
        this.log.error(`photo ${sha256} is referenced by a result but missing from the blob store`);
        throw new ApiError(500, 'photo_missing', 'Berkas foto ini hilang dari penyimpanan. Laporkan ke admin (npm run suara -- verify-chain).');
      }
      throw err;
    }
  }

  private async storeVariant(sha256: string, variant: PhotoVariant, image: EncodedImage): Promise<void> {
    const stored = asVariant(image);
    await reaching(() => this.blobs.put(stored.sha256, image.bytes, image.contentType));
    await this.variants.save(sha256, variant, stored);
  }

  private async inspect(path: string): Promise<InspectedPhoto> {
    try {
      return await inspectPhoto(path);
    } catch (err) {
      if (!(err instanceof UnsupportedImageError)) throw err;
      if (err.tooManyPixels) throw new ApiError(413, 'payload_too_large', `Foto terlalu besar: ${err.message}`);
      throw new ApiError(415, 'unsupported_media', `Bukan foto JPEG, PNG atau WebP yang utuh: ${err.message}`);
    }
  }
}
