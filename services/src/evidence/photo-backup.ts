import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EventStore, RecordedEvent } from '../eventstore/event-store.port';
import { BlobIntegrityError, BlobNotFoundError, type BlobStore } from './blob-store.port';
import { DiskBlobStore } from './disk.blob-store';

/**
 * The photos a backup and a chain check must account for: every blob a `PhotoAttached` event names.
 * A backup's photos sit beside its NDJSON file in `<file>.blobs/`, in the same layout as `BLOB_DIR`
 * (`ab/cd/<sha256>`), so the folder can also be copied, synced or inspected with ordinary tools.
 */

export interface PhotoReference {
  sha256: string;
  contentType: string;
  streamId: string;
  streamPosition: number;
}

export interface BlobProblem {
  problem: 'blob_missing' | 'blob_altered';
  sha256: string;
  streamId: string;
  streamPosition: number;
  detail: string;
}

/** The folder of a backup file's photos. */
export const blobsFolderOf = (backupFile: string) => `${backupFile}.blobs`;

function referenceOf(e: { type: string; data: Record<string, unknown>; streamId: string; streamPosition: number }): PhotoReference | undefined {
  if (e.type !== 'PhotoAttached') return undefined;
  return { sha256: String(e.data.sha256), contentType: String(e.data.contentType), streamId: e.streamId, streamPosition: e.streamPosition };
}

/** Every photo the event log references (first reference of each hash), read in one snapshot. */
export async function referencedPhotos(store: EventStore): Promise<PhotoReference[]> {
  return store.readLog(async (log) => {
    const found = new Map<string, PhotoReference>();
    for await (const batch of log.events) for (const e of batch) addReference(found, e);
    return [...found.values()];
  });
}

function addReference(found: Map<string, PhotoReference>, e: Pick<RecordedEvent, 'type' | 'data' | 'streamId' | 'streamPosition'>): void {
  const ref = referenceOf(e);
  if (ref && !found.has(ref.sha256)) found.set(ref.sha256, ref);
}

/** Every photo a backup file's events reference. */
async function photosOfBackup(file: string): Promise<PhotoReference[]> {
  const found = new Map<string, PhotoReference>();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.includes('"PhotoAttached"')) addReference(found, JSON.parse(text) as RecordedEvent);
  }
  return [...found.values()];
}

/** Checks that each referenced blob is in `blobs` and hashes to its name; the problems found. */
export async function checkBlobs(blobs: BlobStore, refs: readonly PhotoReference[], concurrency = 4): Promise<BlobProblem[]> {
  const problems: BlobProblem[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < refs.length; i = next++) {
      const ref = refs[i];
      try {
        await blobs.get(ref.sha256);
      } catch (err) {
        if (err instanceof BlobNotFoundError) problems.push({ problem: 'blob_missing', ...where(ref), detail: `photo ${ref.sha256} is not in the store` });
        else if (err instanceof BlobIntegrityError) problems.push({ problem: 'blob_altered', ...where(ref), detail: `photo ${ref.sha256} hashes to ${err.actual}` });
        else throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return problems.sort((a, b) => a.streamId.localeCompare(b.streamId) || a.streamPosition - b.streamPosition);
}

const where = (ref: PhotoReference) => ({ sha256: ref.sha256, streamId: ref.streamId, streamPosition: ref.streamPosition });

/** The photo store, opened only when there are photos to look at (a log without any needs none). */
export type OpenBlobStore = () => Promise<BlobStore>;

/** `verify-chain`'s second half: every photo the events name exists and matches its hash. */
export async function verifyPhotoBlobs(store: EventStore, blobs: OpenBlobStore): Promise<{ photos: number; problems: BlobProblem[] }> {
  const refs = await referencedPhotos(store);
  return { photos: refs.length, problems: refs.length === 0 ? [] : await checkBlobs(await blobs(), refs) };
}

/** Copies every photo an exported backup file references into `<file>.blobs/`, each checked on the way. */
export async function exportPhotoBlobs(backupFile: string, blobs: OpenBlobStore): Promise<number> {
  const refs = await photosOfBackup(backupFile);
  if (refs.length === 0) return 0;
  const source = await blobs();
  const folder = await DiskBlobStore.open(blobsFolderOf(backupFile));
  for (const ref of refs) await folder.put(ref.sha256, await source.get(ref.sha256), ref.contentType);
  return refs.length;
}

/**
 * Puts a backup's photos into `blobs` before its events are imported, so no restored event names a
 * photo that is not there. Checks all of them first: one missing or altered photo stops the restore
 * before anything is written, naming every problem.
 */
export async function importPhotoBlobs(backupFile: string, blobs: OpenBlobStore): Promise<number> {
  const refs = await photosOfBackup(backupFile);
  if (refs.length === 0) return 0;
  const folderPath = blobsFolderOf(backupFile);
  if (!existsSync(folderPath)) throw new Error(`the backup references ${refs.length} photo(s) but ${folderPath} does not exist: copy it beside ${backupFile}`);
  const folder = await DiskBlobStore.open(folderPath, { readOnly: true });
  const problems = await checkBlobs(folder, refs);
  if (problems.length > 0) {
    throw new Error(`the backup's photos are incomplete or altered, nothing was imported:\n${problems.map((p) => `${p.problem}\t${p.streamId}#${p.streamPosition}\t${p.detail}`).join('\n')}`);
  }
  const target = await blobs();
  for (const ref of refs) await target.put(ref.sha256, await folder.get(ref.sha256), ref.contentType);
  return refs.length;
}
