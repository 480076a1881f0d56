import type { ElectionView, Role, UserView } from '@suara/contracts';

const SESSION_KEY = 'suara.session';
const MODE_KEY = 'suara.lastMode';

interface Stored { token: string; user: UserView }

function load(): Stored | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

const stored = load();

/** The signed-in user and the election they work on; one per browser tab (sessionStorage). */
export const session = $state<{
  token: string | null;
  user: UserView | null;
  election: ElectionView | null;
  /** A message shown once on the next screen (login or redirect target). */
  flash: string | null;
  /** Last known mode, so the login screen can already warn about the simulation. */
  lastMode: string | null;
}>({
  token: stored?.token ?? null,
  user: stored?.user ?? null,
  election: null,
  flash: null,
  lastMode: localStorage.getItem(MODE_KEY),
});

export function signIn(token: string, user: UserView): void {
  session.token = token;
  session.user = user;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token, user }));
}

export function signOut(flash: string | null = null): void {
  session.token = null;
  session.user = null;
  session.election = null;
  session.flash = flash;
  sessionStorage.removeItem(SESSION_KEY);
  // The service worker's kept reads belong to the user who leaves.
  navigator.serviceWorker?.controller?.postMessage('clear-reads');
}

export function setElection(election: ElectionView): void {
  session.election = election;
  rememberMode(election.mode);
}

export function rememberMode(mode: ElectionView['mode']): void {
  session.lastMode = mode;
  localStorage.setItem(MODE_KEY, mode);
}

export const EXPIRED_MESSAGE = 'Sesi berakhir, silakan masuk lagi';

export function isSimulation(): boolean {
  return (session.election?.mode ?? session.lastMode) === 'simulation';
}

export const ROLE_NAMES: Record<Role, string> = {
  admin: 'Admin',
  verifier: 'Verifikator',
  official: 'Pejabat',
  operator: 'Operator',
};
