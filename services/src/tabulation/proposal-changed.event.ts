import type { ProposalView } from '@suara/contracts';

/**
 * Published on the in-process event bus after a proposal was made or answered (the events are
 * stored by then): the live gateway tells the TPS's operator and the verifiers.
 */
export class ProposalChanged {
  constructor(readonly proposal: ProposalView) {}
}
