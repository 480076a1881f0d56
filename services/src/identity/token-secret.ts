import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Shortest secret accepted: 32 characters (an HMAC-SHA256 key of at least 128 bits of randomness, even typed by hand). */
export const MIN_TOKEN_SECRET_LENGTH = 32;

export const tokenSecretPath = (dataDir: string) => join(dataDir, 'token-secret');

/**
 * The HMAC key of login tokens. Never in the database, where a dump would let anyone mint an
 * admin's token: `SUARA_TOKEN_SECRET`, else the file `SUARA_TOKEN_SECRET_FILE`, else
 * `DATA_DIR/token-secret`, generated on first start (mode 0600). Replicas must share one: set the
 * variable or mount the same file on each.
 */
export function loadTokenSecret(
  options: { secret?: string; secretFile?: string; dataDir: string; shared: boolean },
  warn: (message: string) => void,
): string {
  if (options.secret) return checked(options.secret, 'SUARA_TOKEN_SECRET');
  if (options.secretFile) return checked(readFileSync(options.secretFile, 'utf8').trim(), options.secretFile);
  const file = tokenSecretPath(options.dataDir);
  try {
    return checked(readFileSync(file, 'utf8').trim(), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (options.shared) {
    warn(`Token secret generated in ${file}. Several processes share this database: give every one the same SUARA_TOKEN_SECRET (or SUARA_TOKEN_SECRET_FILE), or tokens from one are refused by the others.`);
  }
  return checked(readFileSync(file, 'utf8').trim(), file);
}

function checked(secret: string, source: string): string {
  if (secret.length < MIN_TOKEN_SECRET_LENGTH) throw new Error(`${source}: the token secret needs at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
  return secret;
}
