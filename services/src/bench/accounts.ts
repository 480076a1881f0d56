import { SuaraClient } from '@suara/contracts';

export const ADMIN_USER = 'bench-admin';
export const ADMIN_PASSWORD = 'bench-admin-password-2024';
const PASSWORD = 'bench-password-2024';

/** Environment for a service under test: known admin, and no per-operator rate limit in the way. */
export function serviceEnv(extra: Record<string, string>): Record<string, string> {
  return {
    SUARA_ADMIN_USER: ADMIN_USER,
    SUARA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SUARA_SUBMIT_RATE_PER_MIN: '100000000',
    SUARA_READ_RATE_PER_MIN: '100000000',
    SUARA_VALIDATE_RATE_PER_MIN: '100000000',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export async function adminClient(url: string): Promise<SuaraClient> {
  const admin = new SuaraClient(url);
  await admin.login(ADMIN_USER, ADMIN_PASSWORD);
  return admin;
}

/**
 * Creates `count` operators that split the desa between them (each scope a list of desa codes)
 * and logs each in. Returns the token to use for every desa.
 */
export async function operatorTokens(url: string, admin: SuaraClient, desaCodes: string[], count: number): Promise<Map<string, string>> {
  const n = Math.max(1, Math.min(count, desaCodes.length));
  const scopes: string[][] = Array.from({ length: n }, () => []);
  desaCodes.forEach((d, i) => scopes[i % n].push(d));
  const tokens = new Map<string, string>();
  await Promise.all(
    scopes.map(async (scope, i) => {
      const username = `bench-op-${i + 1}`;
      await admin.createUser({ username, password: PASSWORD, role: 'operator', scope });
      const op = new SuaraClient(url);
      const { token } = await op.login(username, PASSWORD);
      for (const d of scope) tokens.set(d, token);
    }),
  );
  return tokens;
}

/** An official (may watch tallies) and its token. */
export async function officialToken(url: string, admin: SuaraClient): Promise<string> {
  await admin.createUser({ username: 'bench-official', password: PASSWORD, role: 'official' });
  const official = new SuaraClient(url);
  return (await official.login('bench-official', PASSWORD)).token;
}
