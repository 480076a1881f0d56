import { describe, expect, it } from 'vitest';
import {
  consistencyProof, EMPTY_ROOT, inclusionProof, leafHash, MemoryTree, MerkleFrontier, nodeHash, rootFromInclusionProof, verifyConsistency,
  verifyInclusion,
} from './merkle';

/*
 * Test vectors of Certificate Transparency's Merkle tree (RFC 6962), as published in
 * transparency-dev/merkle (Apache-2.0): `testonly/constants.go` (LeafInputs, NodeHashes,
 * RootHashes) and `proof/verify_test.go` (inclusionProofs with 1-based leaf numbers,
 * consistencyProofs, and the corruptions a verifier must refuse). The same vectors were in
 * google/certificate-transparency-go `merkletree` before it moved.
 */
const hex = (s: string) => Buffer.from(s, 'hex');
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
/** Roots by tree size 0…8. */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
/** [leaf number (1-based), tree size, proof]. */
const INCLUSION: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [2, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];
/** [size1, size2, proof]. */
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

const tree = new MemoryTree(LEAF_INPUTS.map(leafHash));
const flip = (proof: Buffer[], i: number, bit: number) => proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ bit : b))) : p));

describe('RFC 6962 Merkle tree against the Certificate Transparency vectors', () => {
  it('hashes leaves and every complete subtree', () => {
    NODE_HASHES.forEach((row, level) => row.forEach((h, i) => expect(tree.node(level, i).toString('hex'), `level ${level} #${i}`).toBe(h)));
  });

  it('gives the root of every tree size, in memory and streaming', () => {
    const frontier = new MerkleFrontier();
    expect(tree.root(0)).toEqual(EMPTY_ROOT);
    expect(frontier.root()).toEqual(EMPTY_ROOT);
    ROOTS.forEach((root, size) => {
      expect(tree.root(size).toString('hex'), `size ${size}`).toBe(root.toString('hex'));
      expect(frontier.root().toString('hex'), `frontier size ${size}`).toBe(root.toString('hex'));
      if (size < LEAF_INPUTS.length) frontier.append(leafHash(LEAF_INPUTS[size]));
    });
  });

  it('generates the published inclusion proofs and verifies them', () => {
    for (const [leaf, size, proof] of INCLUSION) {
      const got = inclusionProof(tree, leaf - 1, size);
      expect(got.map((h) => h.toString('hex')), `leaf ${leaf} of ${size}`).toEqual(proof);
      expect(rootFromInclusionProof(leaf - 1, size, leafHash(LEAF_INPUTS[leaf - 1]), got)).toEqual(ROOTS[size]);
    }
  });

  it('refuses every corrupted inclusion proof of the reference suite', () => {
    for (const [leaf, size, hexProof] of INCLUSION.slice(1)) {
      const index = leaf - 1;
      const proof = hexProof.map(hex);
      const root = ROOTS[size];
      const lh = leafHash(LEAF_INPUTS[index]);
      expect(verifyInclusion(index, size, lh, proof, root)).toBe(true);
      const probes: [string, number, number, Buffer, Buffer[], Buffer][] = [
        ['index - 1', index - 1, size, lh, proof, root],
        ['index + 1', index + 1, size, lh, proof, root],
        ['index ^ 2', index ^ 2, size, lh, proof, root],
        ['size * 2', index, size * 2, lh, proof, root],
        ['size / 2', index, Math.floor(size / 2), lh, proof, root],
        ['wrong leaf', index, size, Buffer.from('WrongLeaf'), proof, root],
        ['empty root', index, size, lh, proof, EMPTY_ROOT],
        ['random root', index, size, lh, proof, SOME_HASH],
        ['trailing garbage', index, size, lh, [...proof, Buffer.alloc(0)], root],
        ['trailing root', index, size, lh, [...proof, root], root],
        ['preceding garbage', index, size, lh, [Buffer.alloc(0), ...proof], root],
        ['preceding root', index, size, lh, [root, ...proof], root],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer[], Buffer] => [`proof[${i}] bit 3`, index, size, lh, flip(proof, i, 8), root]),
        ...(proof.length > 0 ? [['removed component', index, size, lh, proof.slice(0, -1), root] as [string, number, number, Buffer, Buffer[], Buffer]] : []),
        ...(proof.length > 1 ? [['inserted component', index, size, lh, [proof[0], SOME_HASH, ...proof.slice(1)], root] as [string, number, number, Buffer, Buffer[], Buffer]] : []),
      ];
      for (const [desc, i, n, l, p, r] of probes) expect(verifyInclusion(i, n, l, p, r), `${leaf}/${size}: ${desc}`).toBe(false);
    }
  });

  it('generates the published consistency proofs and verifies them', () => {
    for (const [size1, size2, proof] of CONSISTENCY) {
      const got = consistencyProof(tree, size1, size2);
      expect(got.map((h) => h.toString('hex')), `${size1} → ${size2}`).toEqual(proof);
      expect(verifyConsistency(size1, size2, ROOTS[size1], ROOTS[size2], got)).toBe(true);
    }
  });

  it('refuses every corrupted consistency proof of the reference suite', () => {
    for (const [size1, size2, hexProof] of CONSISTENCY.filter(([, , p]) => p.length > 0)) {
      const proof = hexProof.map(hex);
      const [r1, r2] = [ROOTS[size1], ROOTS[size2]];
      const probes: [string, number, number, Buffer, Buffer, Buffer[]][] = [
        ['size1 - 1', size1 - 1, size2, r1, r2, proof],
        ['size1 + 1', size1 + 1, size2, r1, r2, proof],
        ['size1 ^ 2', size1 ^ 2, size2, r1, r2, proof],
        ['size2 * 2', size1, size2 * 2, r1, r2, proof],
        ['size2 / 2', size1, Math.floor(size2 / 2), r1, r2, proof],
        ['wrong root1', size1, size2, Buffer.from('WrongRoot'), r2, proof],
        ['wrong root2', size1, size2, r1, Buffer.from('WrongRoot'), proof],
        ['swapped roots', size1, size2, r2, r1, proof],
        ['empty proof', size1, size2, r1, r2, []],
        ['trailing garbage', size1, size2, r1, r2, [...proof, Buffer.alloc(0)]],
        ['trailing root1', size1, size2, r1, r2, [...proof, r1]],
        ['trailing root2', size1, size2, r1, r2, [...proof, r2]],
        ['preceding garbage', size1, size2, r1, r2, [Buffer.alloc(0), ...proof]],
        ['preceding root1', size1, size2, r1, r2, [r1, ...proof]],
        ['preceding root2', size1, size2, r1, r2, [r2, ...proof]],
        ['preceding proof[0]', size1, size2, r1, r2, [proof[0], ...proof]],
        ['truncated proof', size1, size2, r1, r2, proof.slice(0, -1)],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer, Buffer[]] => [`proof[${i}] bit 4`, size1, size2, r1, r2, flip(proof, i, 16)]),
      ];
      for (const [desc, s1, s2, a, b, p] of probes) expect(verifyConsistency(s1, s2, a, b, p), `${size1} → ${size2}: ${desc}`).toBe(false);
    }
  });

  it('treats the trivial cases as the reference does', () => {
    const [a, b] = [Buffer.from("don't care 1"), Buffer.from("don't care 2")];
    expect(verifyConsistency(0, 0, a, a, [])).toBe(true);
    expect(verifyConsistency(0, 1, a, b, [])).toBe(true);
    expect(verifyConsistency(1, 1, b, b, [])).toBe(true);
    expect(verifyConsistency(0, 0, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 0, a, b, [])).toBe(false);
    expect(verifyConsistency(2, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 2, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).toBe(false);
    const single = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0, 1, single, [], single)).toBe(true);
    expect(verifyInclusion(0, 1, single, [], Buffer.alloc(0))).toBe(false);
  });
});

describe('proofs of larger trees', () => {
  // A reference written straight from RFC 6962 §2.1 over the leaf list, independent of the node cache.
  const mth = (leaves: Buffer[]): Buffer => {
    if (leaves.length === 1) return leaves[0];
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  };
  const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`event-${i}`)));
  const big = new MemoryTree(leaves);

  it('agrees with the plain recursive definition at every size', () => {
    for (let n = 1; n <= leaves.length; n++) expect(big.root(n).equals(mth(leaves.slice(0, n))), `size ${n}`).toBe(true);
  });

  it('proves every leaf of every size and every pair of sizes', () => {
    for (let n = 1; n <= leaves.length; n++) {
      const root = big.root(n);
      for (let i = 0; i < n; i++) expect(verifyInclusion(i, n, leaves[i], inclusionProof(big, i, n), root), `leaf ${i} of ${n}`).toBe(true);
      for (let m = 1; m <= n; m++) expect(verifyConsistency(m, n, big.root(m), root, consistencyProof(big, m, n)), `${m} → ${n}`).toBe(true);
    }
  });

  it('a changed leaf breaks the root and every consistency proof across it', () => {
    const altered = [...leaves];
    altered[20] = leafHash(Buffer.from('made up'));
    const other = new MemoryTree(altered);
    expect(other.root(40).equals(big.root(40))).toBe(false);
    expect(other.root(20).equals(big.root(20))).toBe(true);
    expect(verifyConsistency(30, 40, big.root(30), other.root(40), consistencyProof(other, 30, 40))).toBe(false);
    expect(verifyConsistency(10, 40, big.root(10), other.root(40), consistencyProof(other, 10, 40))).toBe(true);
  });
});
