import { z } from 'zod';

/** A signed seal of the event log (see the README, "Integrity"), as `GET /api/seals` lists it. */
export const SealView = z.object({
  v: z.literal(1),
  /** Events covered: the first `treeSize` of the log. */
  treeSize: z.number().int(),
  /** Log position of the last covered event. */
  position: z.string(),
  /** RFC 6962 Merkle root over the covered events' hashes, hex. */
  root: z.string(),
  at: z.string(),
  keyId: z.string(),
  /** Raw Ed25519 public key, base64. */
  publicKey: z.string(),
  /** Ed25519 signature, base64. */
  signature: z.string(),
  /** Consistency proof from the previous seal's tree (`from` events), hex hashes. */
  consistency: z.object({ from: z.number().int(), proof: z.array(z.string()) }).optional(),
});
export type SealView = z.infer<typeof SealView>;

export const SealsView = z.object({
  /** The key that signs this deployment's seals; null before any seal when this process has no key file. */
  publicKey: z.object({ algorithm: z.literal('Ed25519'), key: z.string(), keyId: z.string() }).nullable(),
  latest: SealView.nullable(),
  /** The latest seal as text to print or copy (sealText). */
  latestText: z.string().nullable(),
  /** Newest first, at most `limit`. */
  seals: z.array(SealView),
  total: z.number().int(),
  intervalSeconds: z.number(),
});
export type SealsView = z.infer<typeof SealsView>;

/**
 * The text officials print or copy, one value per line: enough for a witness to check the log
 * against later with `npm run suara -- verify-chain`. Also the footer of printed reports.
 */
export function sealText(seal: Pick<SealView, 'at' | 'treeSize' | 'position' | 'root' | 'publicKey' | 'keyId' | 'signature'>): string {
  return [
    `Segel log suara ${seal.at}`,
    `jumlah kejadian (treeSize): ${seal.treeSize}`,
    `posisi: ${seal.position}`,
    `akar Merkle (root): ${seal.root}`,
    `kunci publik Ed25519: ${seal.publicKey} (id ${seal.keyId})`,
    `tanda tangan: ${seal.signature}`,
  ].join('\n');
}

/** One line for a printed page's footer: when, how many events, the root and the key id. */
export function sealFooter(seal: Pick<SealView, 'at' | 'treeSize' | 'root' | 'keyId'>): string {
  return `Segel log ${seal.at} · ${seal.treeSize} kejadian · root ${seal.root} · kunci ${seal.keyId}`;
}
