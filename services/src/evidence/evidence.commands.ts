import type { Ballot } from '@suara/contracts';
import type { AuthUser } from '../identity/auth.decorators';
import type { PhotoFacts } from '../tabulation/result.decider';

/** Attach a photo, already in the blob store under its SHA-256, to a result (through @nestjs/cqrs). */
export class AttachPhotoCommand {
  constructor(readonly user: AuthUser, readonly requestId: string, readonly tpsCode: string, readonly ballot: Ballot, readonly photo: PhotoFacts) {}
}
