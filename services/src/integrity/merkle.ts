import { createHash } from 'node:crypto';

/**
 * Merkle trees as Certificate Transparency defines them (RFC 6962 §2.1, kept in RFC 9162 §2.1):
 * SHA-256, leaves hashed with a 0x00 prefix and interior nodes with 0x01, so a leaf can never pass
 * for a node. A tree of n leaves splits at the largest power of two below n, which is what lets a
 * log prove both that an entry is in it (inclusion) and that a later tree only appended to an
 * earlier one (consistency), each with about log2(n) hashes.
 */

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/**
 * Where the hashes of complete ("perfect") subtrees come from: `node(level, index)` is the hash of
 * the 2^level leaves starting at index·2^level. Leaves are level 0. It may throw when a node is not
 * at hand (see NodeNotLoaded); every function below asks only for nodes inside the tree it works on.
 */
export interface NodeSource {
  node(level: number, index: number): Buffer;
}

/** Largest power of two strictly below n (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// Exact for every size a log can reach (below 2^53).
const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/** MTH(D[start:end]) of RFC 6962: the hash of the leaves start…end-1, a subtree as the RFC's recursion forms them. */
export function rangeHash(source: NodeSource, start: number, end: number): Buffer {
  const n = end - start;
  if (n <= 0) throw new RangeError(`empty range ${start}..${end}`);
  if (isPowerOfTwo(n) && start % n === 0) return source.node(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(source, start, start + k), rangeHash(source, start + k, end));
}

/** The root of the tree of the first `size` leaves. */
export function rootHash(source: NodeSource, size: number): Buffer {
  return size === 0 ? EMPTY_ROOT : rangeHash(source, 0, size);
}

/** The audit path (RFC 6962 §2.1.1, PATH) of leaf `index` in the tree of `size` leaves, leaf-side first. */
export function inclusionProof(source: NodeSource, index: number, size: number): Buffer[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, start: number, end: number): Buffer[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, start + k), rangeHash(source, start + k, end)]
      : [...path(m - k, start + k, end), rangeHash(source, start, start + k)];
  };
  return path(index, 0, size);
}

/** The consistency proof (RFC 6962 §2.1.2, PROOF) that the tree of `size1` leaves is a prefix of the tree of `size2`. */
export function consistencyProof(source: NodeSource, size1: number, size2: number): Buffer[] {
  if (!(size1 >= 0 && size1 <= size2)) throw new RangeError(`no consistency proof from ${size1} to ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const subproof = (m: number, start: number, end: number, whole: boolean): Buffer[] => {
    const n = end - start;
    if (m === n) return whole ? [] : [rangeHash(source, start, end)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, start + k, whole), rangeHash(source, start + k, end)]
      : [...subproof(m - k, start + k, end, false), rangeHash(source, start, start + k)];
  };
  return subproof(size1, 0, size2, true);
}

/**
 * The root that an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when the proof
 * cannot be one for that index and size (wrong length, bad hash size).
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer | undefined {
  if (!(index >= 0 && index < size) || leaf.length !== 32 || proof.some((p) => p.length !== 32)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== undefined && computed.equals(root);
}

/**
 * Whether `proof` shows that the tree (size1, root1) is a prefix of (size2, root2) (RFC 9162
 * §2.1.4.2). Equal sizes need equal roots and an empty proof; an empty first tree is a prefix of
 * anything.
 */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!(size1 >= 0 && size1 <= size2)) return false;
  if (size1 === size2) return proof.length === 0 && Buffer.compare(root1, root2) === 0;
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = isPowerOfTwo(size1) ? [Buffer.from(root1), ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/**
 * A tree kept whole in memory: every complete subtree's hash, level by level (about two hashes per
 * leaf). Appending is amortised O(1).
 */
export class MemoryTree implements NodeSource {
  /** levels[l][i]: hash of the complete subtree of 2^l leaves starting at i·2^l. */
  private readonly levels: Buffer[][] = [[]];

  constructor(leafHashes: Iterable<Buffer> = []) {
    for (const leaf of leafHashes) this.append(leaf);
  }

  get size(): number {
    return this.levels[0].length;
  }

  /** Adds a leaf by its leaf hash (see `leafHash`). */
  append(leaf: Buffer): void {
    let level = 0;
    let hash = leaf;
    for (;;) {
      const row = (this.levels[level] ??= []);
      row.push(hash);
      const n = row.length;
      if (n % 2 === 1) return;
      hash = nodeHash(row[n - 2], row[n - 1]);
      level++;
    }
  }

  node(level: number, index: number): Buffer {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index} in a tree of ${this.size}`);
    return hash;
  }

  root(size = this.size): Buffer {
    return rootHash(this, size);
  }
}

/**
 * The right edge of a growing tree, O(log n) hashes: enough to give the root at every size while
 * leaves stream past (what a verifier reading the whole log needs), nothing for proofs.
 */
export class MerkleFrontier {
  /** Roots of the complete subtrees of the leaves so far, largest first (one per 1 bit of size). */
  private readonly peaks: Buffer[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    let hash = leaf;
    // Merge with the peaks the new leaf completes: as many as trailing 1 bits of the old size.
    for (let n = this.count; n % 2 === 1; n = Math.floor(n / 2)) hash = nodeHash(this.peaks.pop()!, hash);
    this.peaks.push(hash);
    this.count++;
  }

  root(): Buffer {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let hash = this.peaks[this.peaks.length - 1];
    for (let i = this.peaks.length - 2; i >= 0; i--) hash = nodeHash(this.peaks[i], hash);
    return hash;
  }
}
