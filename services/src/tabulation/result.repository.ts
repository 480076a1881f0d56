import { Inject, Injectable } from '@nestjs/common';
import { resultStreamId, type Ballot, type EventMetadata, type ResultEvent } from '@suara/contracts';
import { EVENT_STORE } from '../db/tokens';
import { ConcurrencyError, type EventStore, type RecordedEvent } from '../eventstore/event-store.port';
import { rebuild, toStoredResultEvent, type ResultKey, type ResultState } from './result.decider';

export interface LoadedResult {
  state: ResultState;
  events: RecordedEvent[];
}

/** Result streams in the event store: load a stream's state, append a decision's events. */
@Injectable()
export class ResultRepository {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(key: ResultKey): Promise<LoadedResult> {
    const events = await this.store.read(streamOf(key));
    return { state: rebuild(events.map(toStoredResultEvent)), events };
  }

  /**
   * Appends at exactly `version` (the version the decision was made on). A concurrent writer
   * makes this throw ConcurrencyError; the caller decides again on the fresh state.
   */
  async append(key: ResultKey, version: number, events: ResultEvent[], metadata: Omit<EventMetadata, 'prevHash' | 'hash'>) {
    return this.store.append(
      streamOf(key),
      events.map((e) => ({ type: e.type, data: e.data, metadata })),
      version === 0 ? 'NO_STREAM' : version,
    );
  }
}

export const streamOf = (key: { electionId: string; tpsCode: string; ballot: Ballot }) => resultStreamId(key.electionId, key.tpsCode, key.ballot);
export { ConcurrencyError };
