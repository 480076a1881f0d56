import { Command } from '@nestjs/cqrs';
import type { Ballot, PhotoView } from '@suara/contracts';
import type { AuthUser } from '../identity/auth.decorators';
import type { PhotoFacts } from '../tabulation/result.decider';

/** Attach a photo, already in the blob store under its SHA-256, to a result (through @nestjs/cqrs); `created` false for the same bytes again. */
export class AttachPhotoCommand extends Command<{ created: boolean; body: PhotoView }> {
  constructor(readonly user: AuthUser, readonly requestId: string, readonly tpsCode: string, readonly ballot: Ballot, readonly photo: PhotoFacts) {
    super();
  }
}
