import { ApiError, SuaraClient } from '@suara/contracts/client';
import { EXPIRED_MESSAGE, session, signOut } from './session.svelte';

export { ApiError };

/** Any 401 outside the login call means the token expired or was revoked: back to the login screen. */
const guardedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (res.status === 401 && !url.endsWith('/api/auth/login') && session.token) {
    signOut(EXPIRED_MESSAGE);
  }
  return res;
};

/** The typed API client with the session's token (the dashboard is served from the API's own origin). */
export function client(): SuaraClient {
  return new SuaraClient(location.origin, session.token ?? undefined, guardedFetch);
}

/** Ends the token on the server too (so a copy of it is worth nothing), then leaves. */
export async function logout(): Promise<void> {
  try {
    if (session.token) await client().logout();
  } catch {
    // Offline or already expired: the token ends on its own; leave anyway.
  }
  signOut();
}

export function isStatus(err: unknown, status: number): err is ApiError {
  return err instanceof ApiError && err.status === status;
}

/** The API error's sentence, or a plain-language one for network faults. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 409) return 'Data sudah diubah oleh pengguna lain; muat ulang untuk melihat data terbaru.';
    if (err.status === 403) return 'Anda tidak berwenang untuk tindakan ini.';
    if (err.status === 429) return 'Terlalu banyak permintaan; tunggu sebentar lalu coba lagi.';
    return err.body.message || `Kesalahan server (${err.status})`;
  }
  if (err instanceof TypeError) return 'Tidak dapat menghubungi server. Periksa jaringan.';
  return err instanceof Error ? err.message : String(err);
}
