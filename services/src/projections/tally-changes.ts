import { randomUUID } from 'node:crypto';
import type { Ballot } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';

/** The NOTIFY channel of committed tally changes, for processes that do not project themselves. */
export const TALLIES_CHANNEL = 'suara_tallies';

/** The regions of one (election, ballot) whose numbers or TPS statuses changed. */
export interface ChangedRegions {
  electionId: string;
  ballot: Ballot;
  /** Desa and above (a TPS changes exactly when its desa's children do). */
  regionCodes: string[];
}

/**
 * "These regions changed, at this projection position." `regions: null` means anything may have
 * changed (a rebuild, or too many regions to list): every subscriber should refresh.
 */
export interface TallyChange {
  position: string;
  regions: ChangedRegions[] | null;
}

export type TallyChangeListener = (change: TallyChange) => void;

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7000;
/** Past this many payloads per batch, one "everything changed" is cheaper for every listener. */
const MAX_PAYLOADS = 8;

interface Payload {
  /** Origin: the process that projected the change. */
  o: string;
  p: string;
  /** [electionId, ballot, regionCodes][]; absent = everything. */
  r?: Array<[string, string, string[]]>;
}

/** Splits a change into NOTIFY payloads under the size limit (or one "everything" payload). */
export function encodeTallyChange(origin: string, change: TallyChange): string[] {
  const all = () => [JSON.stringify({ o: origin, p: change.position } satisfies Payload)];
  if (change.regions === null) return all();
  const payloads: string[] = [];
  const emptySize = JSON.stringify({ o: origin, p: change.position, r: [] } satisfies Payload).length;
  let entries: NonNullable<Payload['r']> = [];
  let size = emptySize;
  const flush = () => {
    if (entries.length > 0) payloads.push(JSON.stringify({ o: origin, p: change.position, r: entries } satisfies Payload));
    entries = [];
    size = emptySize;
  };
  for (const { electionId, ballot, regionCodes } of change.regions) {
    const entryCost = JSON.stringify([electionId, ballot, []]).length + 1;
    let entry: [string, string, string[]] | undefined;
    for (const code of regionCodes) {
      const cost = code.length + 3 + (entry ? 0 : entryCost);
      if (size + cost > MAX_PAYLOAD && entries.length > 0) {
        flush();
        entry = undefined;
      }
      if (!entry) {
        entry = [electionId, ballot, []];
        entries.push(entry);
        size += entryCost;
      }
      entry[2].push(code);
      size += code.length + 3;
    }
  }
  flush();
  return payloads.length > MAX_PAYLOADS ? all() : payloads;
}

/** Parses a NOTIFY payload; undefined when it is not one of ours. */
export function decodeTallyChange(payload: string): { origin: string; change: TallyChange } | undefined {
  try {
    const p = JSON.parse(payload) as Payload;
    if (typeof p.o !== 'string' || typeof p.p !== 'string') return undefined;
    const regions = p.r ? p.r.map(([electionId, ballot, regionCodes]) => ({ electionId, ballot, regionCodes }) as ChangedRegions) : null;
    return { origin: p.o, change: { position: p.p, regions } };
  } catch {
    return undefined;
  }
}

/**
 * Delivers every committed tally change to this process's listeners exactly once: changes projected
 * here arrive through `publish` (right after commit), changes projected by other processes through
 * NOTIFY on `suara_tallies` (this process's own notifications are recognised by `origin` and dropped).
 */
export class TallyChangeFeed {
  /** Identifies this process in NOTIFY payloads. */
  readonly origin = randomUUID();
  private readonly listeners = new Set<TallyChangeListener>();
  private listening?: Promise<(() => Promise<void>) | undefined>;

  constructor(private readonly db: SqlDatabase) {}

  /** Called by the local projector after a batch committed. */
  publish(change: TallyChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not stop the projector or other listeners.
      }
    }
  }

  /** Adds a listener; the first one starts LISTEN. Resolves once notifications are being received. */
  async onChange(listener: TallyChangeListener): Promise<() => void> {
    this.listeners.add(listener);
    this.listening ??= this.db
      .listen(TALLIES_CHANNEL, (payload) => {
        const decoded = decodeTallyChange(payload);
        if (decoded && decoded.origin !== this.origin) this.publish(decoded.change);
      })
      .catch(() => undefined);
    await this.listening;
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const unlisten = await this.listening;
    this.listening = undefined;
    await unlisten?.().catch(() => undefined);
  }
}
