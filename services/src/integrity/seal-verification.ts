import type { RecordedEvent } from '../eventstore/event-store.port';
import { eventLeaf } from './log-leaves';
import { MerkleFrontier, verifyConsistency } from './merkle';
import { verifySealSignature, type SealRecord } from './seal';

export type SealProblemKind =
  /** Not signed by a trusted key, or the signature does not match its content. */
  | 'signature'
  /** Tree sizes or times go backwards from one seal to the next. */
  | 'order'
  /** The seal's tree does not extend the previous seal's tree (its consistency proof fails or is missing). */
  | 'consistency'
  /** The log's first `treeSize` events no longer give the sealed root: history before the seal was changed. */
  | 'root'
  /** The sealed position is no longer where the seal's last event is. */
  | 'position'
  /** The log is shorter than a seal covers: sealed events were deleted. */
  | 'missing'
  /** An event dated before a seal that does not contain it: inserted afterwards with a false date. */
  | 'backdated';

export interface SealProblem {
  /** 1-based number of the seal in the list checked (0 for problems of the log after the last seal). */
  seal: number;
  problem: SealProblemKind;
  detail: string;
}

/** How far an event's recorded time may precede a seal that does not contain it: commands take milliseconds, a slow commit seconds. */
export const BACKDATE_TOLERANCE_MS = 5 * 60_000;

const ordinal = (i: number, s: SealRecord) => `seal ${i + 1} (${s.treeSize} events, ${s.at})`;

/**
 * Checks the seals among themselves, without the log: each signed by a trusted key, sizes and
 * times never going back, and each one's tree proven to extend the previous seal's tree.
 * `trustedKeys` are raw base64 Ed25519 public keys.
 */
export function checkSealSequence(seals: SealRecord[], trustedKeys: readonly string[]): SealProblem[] {
  const problems: SealProblem[] = [];
  seals.forEach((seal, i) => {
    const at = (kind: SealProblemKind, detail: string) => problems.push({ seal: i + 1, problem: kind, detail: `${ordinal(i, seal)}: ${detail}` });
    const signer = trustedKeys.find((k) => verifySealSignature(seal, k));
    if (!signer) at('signature', trustedKeys.includes(seal.publicKey) ? 'the signature does not match the sealed content' : `not signed by a trusted key (it names key ${seal.keyId})`);
    const prev = seals[i - 1];
    if (!prev) return;
    if (seal.treeSize < prev.treeSize || seal.at < prev.at) {
      at('order', `comes after ${ordinal(i - 1, prev)} but is smaller or older`);
      return;
    }
    const proof = seal.consistency?.from === prev.treeSize ? seal.consistency.proof.map((h) => Buffer.from(h, 'hex')) : undefined;
    if (!proof) at('consistency', `carries no consistency proof from the previous seal's ${prev.treeSize} events`);
    else if (!verifyConsistency(prev.treeSize, seal.treeSize, Buffer.from(prev.root, 'hex'), Buffer.from(seal.root, 'hex'), proof)) {
      at('consistency', `its tree does not extend the tree of ${ordinal(i - 1, prev)}`);
    }
  });
  return problems;
}

/**
 * Feeds the log through, in log order, and checks it against the seals: at each seal's size the
 * log's Merkle root must be the sealed one, the event there at the sealed position, and no event
 * after a seal may be dated well before it. Memory is O(log n): it keeps the tree's right edge.
 */
export class LogSealCheck {
  private readonly frontier = new MerkleFrontier();
  private readonly seals: SealRecord[];
  /** Index of the next seal whose size the log has not reached. */
  private next = 0;
  private readonly problems: SealProblem[] = [];
  private backdated = 0;

  constructor(seals: SealRecord[], private readonly toleranceMs = BACKDATE_TOLERANCE_MS) {
    this.seals = [...seals].sort((a, b) => a.treeSize - b.treeSize);
    this.settle(undefined);
  }

  add(event: RecordedEvent): void {
    this.checkDate(event);
    this.frontier.append(eventLeaf(event.metadata.hash));
    this.settle(event);
  }

  /** Problems found; call once the whole log was added. */
  finish(): SealProblem[] {
    for (; this.next < this.seals.length; this.next++) {
      const seal = this.seals[this.next];
      this.problems.push({
        seal: this.next + 1,
        problem: 'missing',
        detail: `${ordinal(this.next, seal)}: the log has only ${this.frontier.size} events: sealed events were deleted`,
      });
    }
    if (this.backdated > 20) this.problems.push({ seal: 0, problem: 'backdated', detail: `… and ${this.backdated - 20} more backdated events` });
    return this.problems;
  }

  get events(): number {
    return this.frontier.size;
  }

  /** Checks every seal whose size the log has just reached. */
  private settle(last: RecordedEvent | undefined): void {
    while (this.next < this.seals.length && this.seals[this.next].treeSize === this.frontier.size) {
      const seal = this.seals[this.next];
      const root = this.frontier.root().toString('hex');
      if (root !== seal.root) {
        const prev = this.seals[this.next - 1];
        const where = prev ? `in events ${prev.treeSize + 1}–${seal.treeSize} (sealed between ${prev.at} and ${seal.at}) or earlier` : 'in them';
        this.problems.push({
          seal: this.next + 1,
          problem: 'root',
          detail: `${ordinal(this.next, seal)}: the log's first ${seal.treeSize} events give root ${root}, not the sealed ${seal.root}: sealed history was changed ${where}`,
        });
      } else if (seal.treeSize > 0 && last && last.checkpoint !== seal.position) {
        this.problems.push({ seal: this.next + 1, problem: 'position', detail: `${ordinal(this.next, seal)}: sealed at position ${seal.position}, the log has its event at ${last.checkpoint}` });
      }
      this.next++;
    }
  }

  private checkDate(event: RecordedEvent): void {
    const before = this.seals[this.next - 1];
    const at = Date.parse(event.metadata.at ?? '');
    if (!before || Number.isNaN(at) || at >= Date.parse(before.at) - this.toleranceMs) return;
    if (++this.backdated > 20) return;
    this.problems.push({
      seal: this.next,
      problem: 'backdated',
      detail: `${event.streamId}#${event.streamPosition} (${event.type}) is dated ${event.metadata.at} but comes after ${ordinal(this.next - 1, before)}: added later with a false date`,
    });
  }
}
