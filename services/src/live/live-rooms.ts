import { comparePositions, type Ballot, type TallyView } from '@suara/contracts';
import type { TallyChange } from '../projections/tally-changes';
import { Coalescer, systemClock, type Clock } from './coalescer';

/** What a `/live` room is about: one region (or TPS) and ballot of one election. */
export interface RoomKey {
  electionId: string;
  regionCode: string;
  ballot: Ballot;
}

export const roomName = (k: RoomKey): string => `tally:${k.electionId}:${k.regionCode}:${k.ballot}`;

/** Whether a committed change can alter the tally of `key` (a TPS changes exactly when its desa does). */
export function affects(change: TallyChange, key: RoomKey): boolean {
  if (change.regions === null) return true;
  const desa = key.regionCode.length === 13 ? key.regionCode.slice(0, 10) : undefined;
  return change.regions.some(
    (r) => r.electionId === key.electionId && r.ballot === key.ballot && (r.regionCodes.includes(key.regionCode) || (desa !== undefined && r.regionCodes.includes(desa))),
  );
}

export interface TallyRoomsOptions {
  /** Current tally of a room, read from the read models. */
  load(key: RoomKey): Promise<TallyView>;
  /** Sends a tally to this process's members of the room. */
  emit(room: string, tally: TallyView): void;
  /** How many of this process's sockets are in the room. */
  memberCount(room: string): number;
  /** Least time between two pushes to one room; default 250 ms (at most 4 per second). */
  intervalMs?: number;
  clock?: Clock;
  onError?(err: unknown): void;
}

interface Room {
  key: RoomKey;
  name: string;
  coalescer: Coalescer;
  /** Loads, joins and pushes of a room run one after another, so what a socket sees never goes back. */
  queue: Promise<unknown>;
  /** Position of the last tally sent to the room (or of the ack that created it). */
  lastPushed: string;
  /** Subscriptions still loading: the room must not be forgotten under them. */
  joining: number;
}

/**
 * The tally rooms of this process: answers subscriptions with the current tally and pushes
 * coalesced updates when committed changes touch a room. Each room's reads, joins and pushes are
 * serialised, and a push is only sent when its position is past the last one sent, so every member
 * sees positions that never go back, the subscribe ack included.
 */
export class TallyRooms {
  private readonly rooms = new Map<string, Room>();
  private readonly intervalMs: number;

  constructor(private readonly options: TallyRoomsOptions) {
    this.intervalMs = options.intervalMs ?? 250;
  }

  /** Loads the current tally and, in the same turn of the room's queue, calls `join`. */
  async subscribe(key: RoomKey, join: () => void | Promise<void>): Promise<TallyView> {
    const name = roomName(key);
    const existing = this.rooms.get(name);
    const room = existing ?? this.createRoom(key, name);
    room.joining += 1;
    try {
      return await this.enqueue(room, async () => {
        const tally = await this.options.load(key);
        await join();
        if (!existing) room.lastPushed = tally.position;
        return tally;
      });
    } finally {
      room.joining -= 1;
      this.release(name);
    }
  }

  /** Called for every committed change; affected rooms get a coalesced push. */
  changed(change: TallyChange): void {
    for (const room of this.rooms.values()) {
      if (affects(change, room.key)) room.coalescer.trigger();
    }
  }

  /** Forgets a room once this process has no member left in it. */
  release(name: string): void {
    const room = this.rooms.get(name);
    if (!room || room.joining > 0 || this.options.memberCount(name) > 0) return;
    room.coalescer.close();
    this.rooms.delete(name);
  }

  get size(): number {
    return this.rooms.size;
  }

  close(): void {
    for (const room of this.rooms.values()) room.coalescer.close();
    this.rooms.clear();
  }

  private createRoom(key: RoomKey, name: string): Room {
    const room: Room = {
      key,
      name,
      queue: Promise.resolve(),
      lastPushed: '0',
      joining: 0,
      coalescer: new Coalescer(this.intervalMs, () => this.enqueue(room, () => this.push(room)), this.options.clock ?? systemClock, this.options.onError),
    };
    this.rooms.set(name, room);
    return room;
  }

  private async push(room: Room): Promise<void> {
    if (this.options.memberCount(room.name) === 0) return this.release(room.name);
    const tally = await this.options.load(room.key);
    if (comparePositions(tally.position, room.lastPushed) <= 0) return;
    room.lastPushed = tally.position;
    this.options.emit(room.name, tally);
  }

  private enqueue<T>(room: Room, task: () => Promise<T>): Promise<T> {
    const result = room.queue.then(task, task);
    room.queue = result.catch(() => undefined);
    return result;
  }
}
