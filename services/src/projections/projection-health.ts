import { Inject, Injectable } from '@nestjs/common';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { EVENT_STORE, SQL_DATABASE } from '../db/tokens';
import type { EventStore } from '../eventstore/event-store.port';
import { readCheckpoint, TALLIES_PROJECTION } from './projection-store';

/** Past this many events behind, the lag is reported as "at least" this (counting is a read of the log). */
export const LAG_COUNT_LIMIT = 1000;

export interface ProjectionStatus {
  /** Checkpoint the read models reflect ("0" before the first batch). */
  position: string;
  /** The store's newest visible event. */
  head: string;
  /** Events the projection trails the store by (0 = caught up); capped at LAG_COUNT_LIMIT. */
  lag: number;
  /** true when the real lag may be larger than `lag`. */
  lagCapped: boolean;
  /** Age in seconds of the oldest event not yet projected (0 when caught up). */
  lagSeconds: number;
}

/**
 * How far the projection trails the event store, for `GET /health`. `head` may be passed when the
 * caller already read it.
 */
export async function projectionStatus(db: SqlDatabase, store: EventStore, head?: string | null): Promise<ProjectionStatus> {
  const [position, storeHead] = await Promise.all([readCheckpoint(db, TALLIES_PROJECTION), head ? Promise.resolve(head) : store.head()]);
  if (comparePositions(position, storeHead) >= 0) return { position, head: storeHead, lag: 0, lagCapped: false, lagSeconds: 0 };
  const behind = await store.readAll(position, LAG_COUNT_LIMIT);
  const pending = behind.events.filter((e) => comparePositions(e.checkpoint, storeHead) <= 0);
  const oldest = pending.length > 0 ? Date.parse(pending[0].metadata.at) : NaN;
  const lagSeconds = Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0;
  return { position, head: storeHead, lag: pending.length, lagCapped: pending.length >= LAG_COUNT_LIMIT, lagSeconds };
}

/** Nest provider of the projection's health for the health controller. */
@Injectable()
export class ProjectionHealth {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase, @Inject(EVENT_STORE) private readonly store: EventStore) {}

  status(head?: string | null): Promise<ProjectionStatus> {
    return projectionStatus(this.db, this.store, head);
  }
}
