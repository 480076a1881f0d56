import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ElectionModule } from '../election/election.module';
import type { Counters } from '../limits/counters';
import { COUNTERS } from '../limits/limits.module';
import { RequestLimit } from '../limits/request-limit';
import { TabulationModule } from '../tabulation/tabulation.module';
import { BLOB_STORE, openBlobStore } from './blob-store.factory';
import type { BlobStore } from './blob-store.port';
import { PhotoAccessRepository } from './photo-access.repository';
import { PhotoVariantsRepository } from './photo-variants.repository';
import { AttachPhotoHandler } from './photo.handler';
import { PhotoService } from './photo.service';
import { PHOTO_RATE_LIMITER, PhotosController } from './photos.controller';

/** Evidence: photos of the C.Hasil sheets in a blob store, attached to results by events. */
@Module({
  imports: [ElectionModule, TabulationModule],
  controllers: [PhotosController],
  providers: [
    { provide: BLOB_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openBlobStore(config) },
    {
      // Like submissions: per user, counted across replicas when Redis is configured.
      provide: PHOTO_RATE_LIMITER,
      inject: [COUNTERS, APP_CONFIG],
      useFactory: (counters: Counters, config: AppConfig) =>
        new RequestLimit(counters.limiter('photo', config.photoRatePerMinute, 60), 'rate_limited', (s) => `Terlalu banyak foto; coba lagi dalam ${s} detik`),
    },
    PhotoVariantsRepository,
    PhotoAccessRepository,
    PhotoService,
    AttachPhotoHandler,
  ],
  exports: [BLOB_STORE],
})
export class EvidenceModule implements OnApplicationShutdown {
  constructor(@Inject(BLOB_STORE) private readonly blobs: BlobStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.blobs.close();
  }
}
