import { Module } from '@nestjs/common';
import { ElectionModule } from '../election/election.module';
import { QuickcountController } from './quickcount.controller';
import { QuickcountRepository } from './quickcount.repository';
import { QuickcountService } from './quickcount.service';

@Module({
  imports: [ElectionModule],
  controllers: [QuickcountController],
  providers: [QuickcountRepository, QuickcountService],
  exports: [QuickcountService],
})
export class QuickcountModule {}
