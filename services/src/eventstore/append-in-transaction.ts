import type { SqlExecutor } from '../db/sql';
import type { AppendResult } from './event-store.port';
import { planAppends, type AppendPlan, type AppendRequest } from './append-plan';
import { formatCheckpoint, type SqlPosition } from './checkpoint';
import { createStreams } from './sql/create-streams';
import { insertMessages, messageKey } from './sql/insert-messages';
import { insertStreams } from './sql/insert-streams';
import { lockStreams } from './sql/lock-streams';
import { notifyAppended } from './sql/notify-appended';
import { updateStreams } from './sql/update-streams';

export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: Error };

/**
 * Another transaction changed a stream between our lock and our write (it created the stream
 * first). The group's transaction must roll back and run again: the next attempt sees that stream.
 */
export class StreamsChangedError extends Error {
  constructor(readonly streamIds: string[]) {
    super(`streams changed by another writer: ${streamIds.join(', ')}`);
    this.name = 'StreamsChangedError';
  }
}

/**
 * Appends a group of requests inside `tx` (one outcome per request, in order). Stream rows are
 * locked and written before any event; every expectation is re-checked by the writes' SQL
 * conditions. Throws `StreamsChangedError` (retry the whole transaction) when a condition fails.
 * The appends are only durable once `tx` commits.
 */
export async function appendInTransaction(tx: SqlExecutor, requests: AppendRequest[]): Promise<AppendOutcome[]> {
  const heads = await lockStreams(tx, [...new Set(requests.map((r) => r.streamId))]);
  const plan = planAppends(requests, heads);
  if (plan.messages.length === 0) return outcomesOf(plan, new Map());
  await writeStreamRows(tx, plan);
  const positions = await insertMessages(tx, plan.messages);
  const outcomes = outcomesOf(plan, positions);
  await notifyAppended(tx, lastCheckpoint(outcomes));
  return outcomes;
}

/**
 * The common case on election night, a group of first submissions (every append expects
 * NO_STREAM): planned against no stream heads and written by one statement on its own, one round
 * trip and one commit instead of a transaction of six statements. When a stream exists the
 * statement fails with a unique violation and writes nothing: the caller then runs the group
 * through `appendInTransaction`, which locks, sees the stream and refuses only the appends it must.
 */
export async function appendNewStreams(db: SqlExecutor, requests: AppendRequest[]): Promise<AppendOutcome[]> {
  const plan = planAppends(requests, new Map());
  if (plan.messages.length === 0) return outcomesOf(plan, new Map());
  return outcomesOf(plan, await createStreams(db, plan.newStreams, plan.messages));
}

async function writeStreamRows(tx: SqlExecutor, plan: AppendPlan): Promise<void> {
  const created = await insertStreams(tx, plan.newStreams);
  const updated = await updateStreams(tx, plan.changedStreams);
  const missed = [
    ...plan.newStreams.filter((s) => !created.has(s.streamId)),
    ...plan.changedStreams.filter((s) => !updated.has(s.streamId)),
  ];
  if (missed.length > 0) throw new StreamsChangedError(missed.map((s) => s.streamId));
}

function outcomesOf(plan: AppendPlan, positions: Map<string, SqlPosition>): AppendOutcome[] {
  return plan.decisions.map((decision) => {
    if (!decision.accepted) return { ok: false, error: decision.error };
    const position = positions.get(messageKey(decision.streamId, decision.nextVersion));
    if (!position) throw new Error(`no position returned for ${decision.streamId}@${decision.nextVersion}`);
    return { ok: true, result: { nextExpectedVersion: decision.nextVersion, checkpoint: formatCheckpoint(position) } };
  });
}

function lastCheckpoint(outcomes: AppendOutcome[]): string {
  const accepted = outcomes.flatMap((o) => (o.ok ? [o.result.checkpoint] : []));
  return accepted[accepted.length - 1] ?? '';
}
