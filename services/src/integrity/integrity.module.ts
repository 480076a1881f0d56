import { Module } from '@nestjs/common';
import { SealerService } from './sealer.service';
import { SealsController, SealsService } from './seals.controller';

/** Sealed history: the sealer (projector role), the seals API. */
@Module({
  controllers: [SealsController],
  providers: [SealerService, SealsService],
  exports: [SealerService],
})
export class IntegrityModule {}
