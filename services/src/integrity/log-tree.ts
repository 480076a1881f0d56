import { MemoryTree, type NodeSource } from './merkle';

/** Leaves per block: blocks are how the tree's leaves are stored, 2^8 = 256 leaf hashes (8 kB) a row. */
export const BLOCK_BITS = 8;
export const BLOCK_SIZE = 1 << BLOCK_BITS;

/** Thrown by LogTree.node when a block's leaves are not in memory; `withBlocks` loads it and retries. */
export class BlockNotLoaded extends Error {
  constructor(readonly block: number) {
    super(`block ${block} not loaded`);
  }
}

/**
 * The Merkle tree of the event log, as much of it as proofs need in memory: the hash of every
 * complete block (the tree above level 8, about 1/128 of the leaves), the leaves of the block
 * being filled, and a few recent or recently asked-for blocks. A country's 4 million events are
 * 16,000 block hashes (0.5 MB); a block's leaves come from storage when a proof reaches into it.
 */
export class LogTree implements NodeSource {
  private readonly upper: MemoryTree;
  private tail: MemoryTree;
  private readonly cache = new Map<number, MemoryTree>();

  /** `blockHashes`: roots of the complete blocks in order; `tailLeaves`: leaves after them (< BLOCK_SIZE). */
  constructor(blockHashes: Buffer[] = [], tailLeaves: Buffer[] = [], private readonly cacheBlocks = 16) {
    if (tailLeaves.length >= BLOCK_SIZE) throw new RangeError('a tail holds fewer leaves than a block');
    this.upper = new MemoryTree(blockHashes);
    this.tail = new MemoryTree(tailLeaves);
  }

  get size(): number {
    return this.upper.size * BLOCK_SIZE + this.tail.size;
  }

  /** Complete blocks so far. */
  get blocks(): number {
    return this.upper.size;
  }

  /** Leaves of the block being filled. */
  tailLeaves(): Buffer[] {
    return Array.from({ length: this.tail.size }, (_, i) => this.tail.node(0, i));
  }

  /** Appends a leaf hash; returns the block it completed (index and leaves), if any. */
  append(leaf: Buffer): { block: number; leaves: Buffer[]; hash: Buffer } | undefined {
    this.tail.append(leaf);
    if (this.tail.size < BLOCK_SIZE) return undefined;
    const block = this.upper.size;
    const full = this.tail;
    const hash = full.node(BLOCK_BITS, 0);
    this.upper.append(hash);
    this.remember(block, full);
    this.tail = new MemoryTree();
    return { block, leaves: Array.from({ length: BLOCK_SIZE }, (_, i) => full.node(0, i)), hash };
  }

  /** Makes a complete block's leaves available to proofs. */
  addBlock(block: number, leaves: Buffer[]): void {
    if (leaves.length !== BLOCK_SIZE) throw new RangeError(`block ${block} has ${leaves.length} leaves, not ${BLOCK_SIZE}`);
    this.remember(block, new MemoryTree(leaves));
  }

  node(level: number, index: number): Buffer {
    if (level >= BLOCK_BITS) return this.upper.node(level - BLOCK_BITS, index);
    const perBlock = BLOCK_SIZE >> level;
    const block = Math.floor(index / perBlock);
    const tree = block === this.upper.size ? this.tail : this.cache.get(block);
    if (!tree) throw new BlockNotLoaded(block);
    return tree.node(level, index - block * perBlock);
  }

  private remember(block: number, tree: MemoryTree): void {
    this.cache.delete(block);
    this.cache.set(block, tree);
    while (this.cache.size > this.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
  }
}

/**
 * Runs `fn` against the tree, loading whatever blocks it reaches that are not in memory. A proof
 * touches at most two or three blocks below the block level, so this ends after a few rounds.
 */
export async function withBlocks<T>(tree: LogTree, loadBlock: (block: number) => Promise<Buffer[]>, fn: () => T): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof BlockNotLoaded) || round >= 8) throw err;
      tree.addBlock(err.block, await loadBlock(err.block));
    }
  }
}
