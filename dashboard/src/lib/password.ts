// Letters and digits people do not confuse when reading a password aloud (no 0/O, 1/l/I).
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A random password to hand over once (new account, reset): four groups of five, about 116 bits,
 * far above the server's strength rule. Starts with a letter, so no spreadsheet takes it for a formula.
 */
export function newPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]);
  if (!/[a-zA-Z]/.test(chars[0])) chars[0] = 'k';
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}
