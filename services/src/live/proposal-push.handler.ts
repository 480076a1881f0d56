import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ProposalChanged } from '../tabulation/proposal-changed.event';
import { LiveGateway } from './live.gateway';

/** A proposal made or answered in this process goes out live (LiveGateway.pushProposal). */
@EventsHandler(ProposalChanged)
export class ProposalPushHandler implements IEventHandler<ProposalChanged> {
  constructor(private readonly gateway: LiveGateway) {}

  handle(event: ProposalChanged): void {
    this.gateway.pushProposal(event.proposal);
  }
}
