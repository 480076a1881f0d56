import type { Ballot, PhotoView } from '@suara/contracts';
import { SuaraClient } from '@suara/contracts/client';
import { EXPIRED_MESSAGE, session, signOut } from './session.svelte';
import { keyOf } from './outbox.svelte';

/**
 * Photos of the C.Hasil sheets on the operator's phone: made smaller in the browser (village
 * connections are slow), kept in IndexedDB (they survive a reload, and weigh too much for
 * localStorage), and sent one at a time with progress. A dropped network keeps them waiting and
 * they are sent again, like the numbers' outbox; the same bytes sent twice are one photo on the server.
 */

/** Long side of what is sent, in pixels, and its JPEG quality: a sheet stays readable at ~300–700 kB. */
export const LONG_SIDE = 2000;
export const JPEG_QUALITY = 0.8;
const RETRY_MS = 4000;
const DB = 'suara-photos';
const STORE = 'outbox';

/** A photo waiting for the server. */
export interface PendingPhoto {
  id: string;
  username: string;
  tpsCode: string;
  ballot: Ballot;
  page: number | null;
  blob: Blob;
  width: number;
  height: number;
  queuedAt: string;
  attempts: number;
  lastError?: string;
}

export type PhotoOutcome = { kind: 'uploaded'; photo: PhotoView; id: string } | { kind: 'refused'; message: string; id: string };

export const photoOutbox = $state<{
  items: PendingPhoto[];
  /** Upload progress of the photo being sent, in [0, 1], by id. */
  progress: Record<string, number>;
  /** The latest answers per `tps/ballot`, newest last. */
  outcomes: Record<string, PhotoOutcome[]>;
  sending: boolean;
  loaded: boolean;
}>({ items: [], progress: {}, outcomes: {}, sending: false, loaded: false });

// ---------------------------------------------------------------- IndexedDB

function database(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await database();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const saveItem = (item: PendingPhoto) => withStore('readwrite', (s) => s.put($state.snapshot(item) as PendingPhoto));
const dropItem = (id: string) => withStore('readwrite', (s) => s.delete(id));
const allItems = () => withStore<PendingPhoto[]>('readonly', (s) => s.getAll() as IDBRequest<PendingPhoto[]>);

// ---------------------------------------------------------------- in the browser

/**
 * The photo at most `LONG_SIDE` px on its long side, as JPEG: EXIF orientation applied, and every
 * piece of metadata (GPS, camera) gone, since a canvas carries none.
 */
export async function downscale(file: Blob): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
  if (!blob) throw new Error('Foto tidak dapat diolah di perangkat ini');
  return { blob, width, height };
}

/** Makes the photo smaller, keeps it on the device and starts sending it. */
export async function queuePhoto(tpsCode: string, ballot: Ballot, file: Blob, page: number | null): Promise<void> {
  const { blob, width, height } = await downscale(file);
  const item: PendingPhoto = {
    id: crypto.randomUUID(), username: session.user?.username ?? '', tpsCode, ballot, page, blob, width, height,
    queuedAt: new Date().toISOString(), attempts: 0,
  };
  await saveItem(item);
  photoOutbox.items = [...photoOutbox.items, item];
  void flushPhotos();
}

export const pendingPhotosFor = (tpsCode: string, ballot: string) => photoOutbox.items.filter((p) => p.tpsCode === tpsCode && p.ballot === ballot);

async function settle(item: PendingPhoto, outcome: PhotoOutcome): Promise<void> {
  await dropItem(item.id);
  photoOutbox.items = photoOutbox.items.filter((p) => p.id !== item.id);
  delete photoOutbox.progress[item.id];
  const key = keyOf(item.tpsCode, item.ballot);
  photoOutbox.outcomes[key] = [...(photoOutbox.outcomes[key] ?? []), outcome];
}

/** One upload with progress (fetch cannot report an upload's progress). Rejects on a network fault. */
function upload(item: PendingPhoto): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/results/${item.tpsCode}/${item.ballot}/photos`);
    if (session.token) xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) photoOutbox.progress[item.id] = e.loaded / e.total;
    };
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new TypeError('network'));
    xhr.onabort = () => reject(new TypeError('aborted'));
    xhr.timeout = 120_000;
    xhr.ontimeout = () => reject(new TypeError('timeout'));
    const form = new FormData();
    if (item.page !== null) form.append('page', String(item.page));
    form.append('photo', item.blob, `chasil-${item.tpsCode}-${item.ballot}.jpg`);
    photoOutbox.progress[item.id] = 0;
    xhr.send(form);
  });
}

/** Whether the answer is final; network faults, 5xx and 429 keep the photo for the next try. */
async function sendOne(item: PendingPhoto): Promise<boolean> {
  try {
    const { status, body } = await upload(item);
    if (status === 200 || status === 201) {
      await settle(item, { kind: 'uploaded', photo: body as unknown as PhotoView, id: item.id });
      return true;
    }
    if (status === 401) {
      signOut(EXPIRED_MESSAGE);
      item.lastError = 'Sesi berakhir';
    } else if ([400, 403, 404, 409, 413, 415].includes(status)) {
      await settle(item, { kind: 'refused', message: String(body.message ?? `Ditolak server (${status})`), id: item.id });
      return true;
    } else {
      item.lastError = `Server sibuk (${status})`;
    }
  } catch {
    item.lastError = 'Jaringan terputus';
  }
  item.attempts += 1;
  delete photoOutbox.progress[item.id];
  await saveItem(item).catch(() => undefined);
  return false;
}

let flushing: Promise<void> | null = null;

/** Sends the signed-in operator's waiting photos, oldest first, stopping at the first that cannot get through. */
export function flushPhotos(): Promise<void> {
  flushing ??= (async () => {
    photoOutbox.sending = true;
    try {
      for (const item of [...photoOutbox.items]) {
        if (!session.token || item.username !== session.user?.username) continue;
        if (!(await sendOne(item))) break;
      }
    } finally {
      photoOutbox.sending = false;
      flushing = null;
    }
  })();
  return flushing;
}

/** Loads what waits on this device and retries in the background, and at once when the browser is back online. */
export function startPhotoOutbox(): () => void {
  const tick = () => {
    if (photoOutbox.items.length > 0) void flushPhotos();
  };
  void allItems()
    .then((items) => {
      const known = new Set(photoOutbox.items.map((p) => p.id));
      photoOutbox.items = [...photoOutbox.items, ...items.filter((p) => !known.has(p.id))].sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
      photoOutbox.loaded = true;
      tick();
    })
    .catch(() => (photoOutbox.loaded = true));
  const timer = setInterval(tick, RETRY_MS);
  window.addEventListener('online', tick);
  return () => {
    clearInterval(timer);
    window.removeEventListener('online', tick);
  };
}

// ---------------------------------------------------------------- reading photos

const urls = new Map<string, Promise<string>>();

/**
 * An object URL of a photo fetched with the session's token (an <img> cannot send it), kept for
 * the page's life. A photo just attached may take a moment to be readable (the read model follows
 * the event), so a 404 is asked again a few times.
 */
export function photoUrl(sha256: string, size?: 'thumb'): Promise<string> {
  const key = `${sha256}/${size ?? 'full'}`;
  let url = urls.get(key);
  if (!url) {
    url = fetchPhoto(sha256, size);
    urls.set(key, url);
    url.catch(() => urls.delete(key));
  }
  return url;
}

async function fetchPhoto(sha256: string, size?: 'thumb'): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(SuaraClient.photoPath(sha256, size), { headers: session.token ? { authorization: `Bearer ${session.token}` } : {} });
    if (res.ok) return URL.createObjectURL(await res.blob());
    if (res.status !== 404 || attempt >= 5) throw new Error(res.status === 404 ? 'Foto tidak ditemukan' : `Foto tidak dapat dimuat (${res.status})`);
    await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
  }
}
