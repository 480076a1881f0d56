import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { SqlDatabase } from '../db/sql';
import type { EventStore } from '../eventstore/event-store.port';
import type { ChainProblem } from '../eventstore/hash-chain';
import { verifyAllChains } from '../ops/tamper-check';
import { listSeals } from './integrity.repository';
import { rawPublicKey, type SealRecord } from './seal';
import { parseSealLines } from './seal-file';
import { readSealPublicKey } from './seal-key';
import { checkSealSequence, LogSealCheck, type SealProblem } from './seal-verification';

export interface SealSource {
  /** Where the seals come from: a file, a URL, or the database. */
  label: string;
  seals: SealRecord[];
}

/**
 * Seals from a file of seal lines, from a URL answering seal lines (`GET /api/seals/export`) or
 * JSON `{seals}`, or, without either, from the database (which a rewrite of the database reaches).
 */
export async function loadSeals(where: string | undefined, db: SqlDatabase | undefined, token?: string): Promise<SealSource> {
  if (!where) {
    const seals = db ? (await listSeals(db, { limit: Number.MAX_SAFE_INTEGER })).map((s) => s.record) : [];
    return { label: 'the database', seals };
  }
  if (/^https?:\/\//i.test(where)) {
    const res = await fetch(where, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new Error(`${where}: HTTP ${res.status}`);
    const text = await res.text();
    const seals = text.trimStart().startsWith('{"seals"') ? (JSON.parse(text) as { seals: SealRecord[] }).seals : parseSealLines(text, where);
    return { label: where, seals: [...seals].sort((a, b) => a.treeSize - b.treeSize || a.at.localeCompare(b.at)) };
  }
  return { label: where, seals: parseSealLines(readFileSync(where, 'utf8'), where) };
}

/**
 * The public keys to trust: given ones (raw base64, or a PEM file of the public or private key);
 * else this deployment's key file; else, pinned by nothing, the keys the seals name.
 */
export function trustedKeys(given: string[], local: { keyFile?: string; dataDir: string }, seals: SealRecord[]): { keys: string[]; pinned: string } {
  if (given.length > 0) return { keys: given.map(publicKeyOf), pinned: 'given with --public-key' };
  const own = readSealPublicKey(local);
  if (own) return { keys: [own.publicKey], pinned: `this deployment's key file (id ${own.keyId})` };
  return { keys: [...new Set(seals.map((s) => s.publicKey))], pinned: 'NOT pinned: trusting the key the seals name; pass --public-key with the key your witnesses hold' };
}

function publicKeyOf(value: string): string {
  if (existsSync(value)) return rawPublicKey(createPublicKey(readFileSync(value, 'utf8')));
  if (Buffer.from(value, 'base64').length !== 32) throw new Error(`--public-key ${value}: neither a key file nor a 32-byte base64 Ed25519 key`);
  return value;
}

export interface SealedLogReport {
  ok: boolean;
  chainProblems: ChainProblem[];
  sealProblems: SealProblem[];
  events: number;
  streams: number;
  seals: number;
}

/** One read of the log: every stream's hash chain, and the whole log against the seals. */
export async function verifySealedLog(store: EventStore, seals: SealRecord[], keys: string[]): Promise<SealedLogReport> {
  const sequence = checkSealSequence(seals, keys);
  const check = new LogSealCheck(seals);
  const chains = await verifyAllChains(store, (e) => check.add(e));
  const sealProblems = [...sequence, ...check.finish()];
  return {
    ok: chains.ok && sealProblems.length === 0,
    chainProblems: chains.problems,
    sealProblems,
    events: chains.events,
    streams: chains.streams,
    seals: seals.length,
  };
}
