import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ElectionService } from '../election/election.service';
import { execute, now } from '../tabulation/result.handlers';
import { toPhotoView } from '../tabulation/result.decider';
import { ResultRepository } from '../tabulation/result.repository';
import { AttachPhotoCommand } from './evidence.commands';

/** Appends `PhotoAttached` to the result's stream (or answers the stored photo for the same bytes again). */
@CommandHandler(AttachPhotoCommand)
export class AttachPhotoHandler implements ICommandHandler<AttachPhotoCommand> {
  constructor(private readonly repo: ResultRepository, private readonly election: ElectionService) {}

  async execute({ user, requestId, tpsCode, ballot, photo }: AttachPhotoCommand) {
    const key = { electionId: await this.election.activeElectionId(), tpsCode, ballot };
    const command = { type: 'AttachPhoto' as const, ...key, photo, by: { userId: user.id, role: user.role } };
    const { state, created } = await execute(this.repo, key, command, user, requestId, now);
    return { created, body: toPhotoView(state, photo.sha256) };
  }
}
