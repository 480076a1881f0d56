import type { SqlDatabase } from '../db/sql';
import {
  holdSealerLease, insertSeal, latestSeal, loadBlockLeaves, loadLogTree, releaseSealerLease, SEAL_PUBLISHED_CHANNEL, writeBlocks,
  type BlockWrite, type StoredSeal,
} from './integrity.repository';
import { eventLeaf, type ReadLeaves } from './log-leaves';
import { LogTree, withBlocks } from './log-tree';
import { consistencyProof, rootHash } from './merkle';
import { signSeal, type SealRecord, type SealSigner } from './seal';
import { sealsMade } from '../metrics/metrics';

export interface SealerOptions {
  /** Unique id of this process, the lease holder's name. */
  owner: string;
  /** How long a lease lasts without renewal; another process takes over after it. Default 30 s. */
  leaseSeconds?: number;
  /** Leaves read per query. Default 20,000. */
  batchSize?: number;
  /** Most leaves taken into one seal, so a large backlog is sealed in steps. Default 500,000. */
  maxLeavesPerSeal?: number;
  now?: () => Date;
  /** Told after each seal is committed (the append-only file). */
  onSealed?: (record: SealRecord) => Promise<void>;
  /** Before a forced seal: waits until what was committed is readable, so the seal covers it. */
  settle?: () => Promise<unknown>;
  logger?: { warn(message: string): void; error(message: string): void };
}

/** The stored tree does not give the root the last seal signed: the integrity tables were changed. */
export class SealStateMismatch extends Error {}

interface SealerState {
  tree: LogTree;
  /** Log position of the last leaf in the tree. */
  position: string;
  /** Position of the first leaf of the block being filled. */
  tailFirstPosition?: string;
  last?: StoredSeal;
}

/**
 * Publishes seals: reads the hashes of the events appended since the last seal (in log order),
 * adds them to the Merkle tree, signs the new head and stores it with the consistency proof from
 * the previous seal, together with the tree's new blocks, in one transaction. Only the holder of
 * the sealer lease seals; the others stand by.
 */
export class Sealer {
  private state?: SealerState;
  /** The seal in progress, settled either way: the next call waits for it. */
  private running?: Promise<void>;
  private readonly leaseSeconds: number;
  private readonly batchSize: number;
  private readonly maxLeaves: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: SqlDatabase,
    private readonly readLeaves: ReadLeaves,
    private readonly signer: SealSigner,
    private readonly options: SealerOptions,
  ) {
    this.leaseSeconds = options.leaseSeconds ?? 30;
    this.batchSize = options.batchSize ?? 20_000;
    this.maxLeaves = options.maxLeavesPerSeal ?? 500_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Seals what was appended since the last seal; with `force`, also when nothing was (a fresh
   * `at` for officials who print it now). Undefined when this process does not hold the lease or
   * there was nothing new. Calls never overlap.
   */
  seal(force = false): Promise<SealRecord | undefined> {
    const next = (this.running ?? Promise.resolve()).then(() => this.sealOnce(force));
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.running = settled;
    void settled.then(() => {
      if (this.running === settled) this.running = undefined;
    });
    return next;
  }

  /** Gives the lease up (on shutdown), so a standby takes over at once. */
  async release(): Promise<void> {
    await this.running;
    await releaseSealerLease(this.db, this.options.owner);
    this.state = undefined;
  }

  private async sealOnce(force: boolean): Promise<SealRecord | undefined> {
    if (!(await holdSealerLease(this.db, this.options.owner, this.leaseSeconds))) {
      this.state = undefined; // another process seals; our view would go stale
      return undefined;
    }
    try {
      if (force) await this.options.settle?.();
      const state = (this.state ??= await this.load());
      const grown = await this.extend(state);
      if (grown.leaves === 0 && !force && state.last) return undefined;
      return await this.publish(state, grown.blocks);
    } catch (err) {
      this.state = undefined; // reload from what is committed
      throw err;
    }
  }

  /** The tree as of the last seal, checked against that seal's signed root. */
  private async load(): Promise<SealerState> {
    const [{ tree, tailFirstPosition }, last] = await Promise.all([loadLogTree(this.db), latestSeal(this.db)]);
    const sealedSize = last?.record.treeSize ?? 0;
    if (tree.size !== sealedSize) throw new SealStateMismatch(`the stored tree holds ${tree.size} leaves, the last seal ${sealedSize}`);
    if (last) {
      const root = await withBlocks(tree, (b) => loadBlockLeaves(this.db, b), () => rootHash(tree, tree.size));
      if (root.toString('hex') !== last.record.root) {
        throw new SealStateMismatch(`the stored tree's root ${root.toString('hex')} is not the root ${last.record.root} of the last seal (tree size ${sealedSize})`);
      }
    }
    return { tree, position: last?.record.position ?? '0', tailFirstPosition, last };
  }

  /** Reads new leaves into the tree; returns how many and the blocks to write (completed ones and the one being filled). */
  private async extend(state: SealerState): Promise<{ leaves: number; blocks: BlockWrite[] }> {
    const blocks: BlockWrite[] = [];
    let added = 0;
    while (added < this.maxLeaves) {
      const { leaves } = await this.readLeaves(state.position, Math.min(this.batchSize, this.maxLeaves - added));
      if (leaves.length === 0) break;
      for (const leaf of leaves) {
        state.tailFirstPosition ??= leaf.checkpoint;
        const completed = state.tree.append(eventLeaf(leaf.hash));
        if (completed) {
          blocks.push({ ...completed, firstPosition: state.tailFirstPosition, lastPosition: leaf.checkpoint });
          state.tailFirstPosition = undefined;
        }
        state.position = leaf.checkpoint;
      }
      added += leaves.length;
    }
    const tail = state.tree.tailLeaves();
    if (added > 0 && tail.length > 0) {
      blocks.push({ block: state.tree.blocks, leaves: tail, firstPosition: state.tailFirstPosition!, lastPosition: state.position });
    }
    return { leaves: added, blocks };
  }

  private async publish(state: SealerState, blocks: BlockWrite[]): Promise<SealRecord | undefined> {
    const { tree, last } = state;
    const size = tree.size;
    // A block completed in this round is not in the database yet; the tree keeps only a few in memory.
    const load = async (b: number) => blocks.find((w) => w.block === b && w.hash)?.leaves ?? loadBlockLeaves(this.db, b);
    const [root, proof] = await withBlocks(tree, load, () => [
      rootHash(tree, size),
      last ? consistencyProof(tree, last.record.treeSize, size) : [],
    ] as const);
    const seal = signSeal({ v: 1, treeSize: size, position: state.position, root: root.toString('hex'), at: this.now().toISOString() }, this.signer);
    const record: SealRecord = last ? { ...seal, consistency: { from: last.record.treeSize, proof: proof.map((p) => p.toString('hex')) } } : seal;
    const id = await this.db.transaction(async (tx) => {
      // Still ours, and nobody sealed in between (a lease that ran out during a long pause).
      if (!(await holdSealerLease(tx, this.options.owner, this.leaseSeconds))) return undefined;
      const latest = await latestSeal(tx);
      if (latest?.id !== last?.id) return undefined;
      await writeBlocks(tx, blocks);
      const inserted = await insertSeal(tx, record);
      await tx.query('SELECT pg_notify($1, $2)', [SEAL_PUBLISHED_CHANNEL, String(size)]);
      return inserted;
    });
    if (id === undefined) {
      this.state = undefined;
      return undefined;
    }
    state.last = { id, record };
    sealsMade.inc();
    await this.options.onSealed?.(record).catch((err: Error) => this.options.logger?.error(`seal ${size} not written outside the database: ${err.message}`));
    return record;
  }
}
