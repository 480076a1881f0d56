import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../eventstore/hash-chain';

/**
 * A seal: the signed head of the event log's Merkle tree, in the manner of Certificate
 * Transparency's signed tree heads. Whoever holds a seal (printed, copied, in a file outside the
 * database) can later check that the log still yields its root, so history before it cannot be
 * rewritten without the change showing, even by someone who can write to the database.
 */
export interface SealBody {
  /** Format version of the signed content. */
  v: 1;
  /** Number of events the seal covers: the first `treeSize` events in log order. */
  treeSize: number;
  /** The log position (checkpoint) of the last covered event, "0" for an empty log. */
  position: string;
  /** RFC 6962 root of the tree over those events' hashes, hex. */
  root: string;
  /** When it was signed (ISO 8601, UTC). */
  at: string;
}

export interface Seal extends SealBody {
  /** Which key signed it: the first 16 hex digits of SHA-256 over the raw public key. */
  keyId: string;
  /** The signer's Ed25519 public key, raw 32 bytes in base64 (also printed on the dashboard). */
  publicKey: string;
  /** Ed25519 signature of `sealMessage(body)`, base64. */
  signature: string;
}

/** A seal as kept (database, append-only file, `/api/seals`): with the proof that it extends the seal before it. */
export interface SealRecord extends Seal {
  /** RFC 6962 consistency proof from the previous seal's tree (`from` = its treeSize) to this one, hex. Absent on the first seal. */
  consistency?: { from: number; proof: string[] };
}

/** Domain separation: these bytes can never be mistaken for another signed message. */
const SEAL_CONTEXT = 'suara/seal/v1\n';

/** The exact bytes signed: the context line and the canonical JSON of the body's five fields. */
export function sealMessage(body: SealBody): Buffer {
  const { v, treeSize, position, root, at } = body;
  return Buffer.from(SEAL_CONTEXT + canonicalJson({ v, treeSize, position, root, at }), 'utf8');
}

/** Raw Ed25519 public key (32 bytes) in base64. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { x?: string };
  if (!jwk.x) throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

export function keyIdOf(rawPublicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(rawPublicKeyBase64, 'base64')).digest('hex').slice(0, 16);
}

/** The public key object of a raw base64 Ed25519 key; throws when it is not 32 bytes. */
export function publicKeyFromRaw(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes (base64)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

export interface SealSigner {
  privateKey: KeyObject;
  /** Raw public key, base64. */
  publicKey: string;
  keyId: string;
}

export function signSeal(body: SealBody, signer: SealSigner): Seal {
  const signature = sign(null, sealMessage(body), signer.privateKey).toString('base64');
  return { ...body, keyId: signer.keyId, publicKey: signer.publicKey, signature };
}

/** Whether `seal` carries a valid signature by `publicKeyBase64` (its own claimed key is not trusted). */
export function verifySealSignature(seal: Seal, publicKeyBase64: string): boolean {
  try {
    const signature = Buffer.from(seal.signature, 'base64');
    return signature.length === 64 && verify(null, sealMessage(seal), publicKeyFromRaw(publicKeyBase64), signature);
  } catch {
    return false;
  }
}
