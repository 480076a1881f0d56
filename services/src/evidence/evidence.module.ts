import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ElectionModule } from '../election/election.module';
import { TabulationModule } from '../tabulation/tabulation.module';
import { BLOB_STORE, openBlobStore } from './blob-store.factory';
import type { BlobStore } from './blob-store.port';
import { PhotoAccessRepository } from './photo-access.repository';
import { PhotoVariantsRepository } from './photo-variants.repository';
import { AttachPhotoHandler } from './photo.handler';
import { PhotoService } from './photo.service';
import { PhotosController } from './photos.controller';

/** Evidence: photos of the C.Hasil sheets in a blob store, attached to results by events. */
@Module({
  imports: [ElectionModule, TabulationModule],
  controllers: [PhotosController],
  providers: [
    { provide: BLOB_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openBlobStore(config) },
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
