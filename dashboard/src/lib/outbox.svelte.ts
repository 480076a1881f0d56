import type { Ballot, CHasilForm, Issue } from '@suara/contracts';
import { ApiError, client } from './api';
import { session } from './session.svelte';

const KEY = 'suara.outbox';
const RETRY_MS = 4000;

/** A submission waiting for the server's answer; retried with the same clientRequestId. */
export interface Pending {
  username: string;
  tpsCode: string;
  ballot: Ballot;
  clientRequestId: string;
  form: CHasilForm;
  queuedAt: string;
  attempts: number;
  lastError?: string;
}

/** How the server finally answered a submission. */
export type Outcome =
  | { kind: 'accepted'; version: number; retry: boolean }
  | { kind: 'already'; message: string }
  | { kind: 'rejected'; issues: Issue[]; message: string; canStoreAsWritten: boolean }
  | { kind: 'refused'; message: string };

export const keyOf = (tpsCode: string, ballot: string) => `${tpsCode}/${ballot}`;

function load(): Pending[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as Pending[];
  } catch {
    return [];
  }
}

export const outbox = $state<{ items: Pending[]; outcomes: Record<string, Outcome>; sending: boolean }>({
  items: load(),
  outcomes: {},
  sending: false,
});

function save(): void {
  localStorage.setItem(KEY, JSON.stringify(outbox.items));
}

export function pendingFor(tpsCode: string, ballot: string): Pending | undefined {
  return outbox.items.find((p) => p.tpsCode === tpsCode && p.ballot === ballot);
}

/** Puts a submission in the outbox (it survives reloads) and tries to send it right away. */
export function enqueue(item: Omit<Pending, 'queuedAt' | 'attempts' | 'username'>): Promise<void> {
  const username = session.user?.username ?? '';
  outbox.items = [...outbox.items.filter((p) => keyOf(p.tpsCode, p.ballot) !== keyOf(item.tpsCode, item.ballot)),
    { ...item, username, queuedAt: new Date().toISOString(), attempts: 0 }];
  delete outbox.outcomes[keyOf(item.tpsCode, item.ballot)];
  save();
  return flush();
}

function settle(p: Pending, outcome: Outcome): void {
  outbox.items = outbox.items.filter((q) => q.clientRequestId !== p.clientRequestId);
  outbox.outcomes[keyOf(p.tpsCode, p.ballot)] = outcome;
  save();
}

/** Whether the answer is final; network faults, 5xx and 429 are not: the item stays for the next try. */
async function sendOne(p: Pending): Promise<boolean> {
  try {
    const res = await client().submit({ tpsCode: p.tpsCode, ballot: p.ballot, clientRequestId: p.clientRequestId, form: p.form });
    settle(p, { kind: 'accepted', version: res.body.version, retry: res.status === 200 });
    return true;
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 409) { settle(p, { kind: 'already', message: err.body.message }); return true; }
      if (err.status === 400) {
        const canStoreAsWritten = err.body.details?.canStoreAsWritten === true;
        settle(p, { kind: 'rejected', issues: err.body.issues ?? [], message: err.body.message, canStoreAsWritten });
        return true;
      }
      if (err.status === 403 || err.status === 404 || err.status === 413) { settle(p, { kind: 'refused', message: err.body.message }); return true; }
      p.lastError = err.status === 401 ? 'Sesi berakhir' : `Server sibuk (${err.status})`;
    } else {
      p.lastError = 'Jaringan terputus';
    }
    p.attempts += 1;
    save();
    return false;
  }
}

let flushing: Promise<void> | null = null;

/** Sends every waiting submission of the signed-in operator, oldest first, stopping at the first that cannot get through. */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    outbox.sending = true;
    try {
      for (const p of [...outbox.items]) {
        if (!session.token || p.username !== session.user?.username) continue;
        if (!(await sendOne(p))) break;
      }
    } finally {
      outbox.sending = false;
      flushing = null;
    }
  })();
  return flushing;
}

let timer: ReturnType<typeof setInterval> | undefined;

/** Retries in the background while anything waits, and at once when the browser is back online. */
export function startOutbox(): () => void {
  const tick = () => { if (outbox.items.length > 0) void flush(); };
  timer = setInterval(tick, RETRY_MS);
  window.addEventListener('online', tick);
  tick();
  return () => {
    clearInterval(timer);
    window.removeEventListener('online', tick);
  };
}
