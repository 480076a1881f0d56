import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, TokenError, VerifiedTokens, verifyToken } from './token';

const secret = 'test-secret-of-enough-length-0123456789';
const t0 = new Date('2024-02-14T07:00:00Z');
const subject = { sub: 'u-1', role: 'operator' as const, tv: 3 };

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TokenError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('signed tokens', () => {
  it('round-trips the claims and reports the expiry', () => {
    const { token, expiresAt } = signToken(subject, secret, 3600, t0);
    expect(token.split('.')).toHaveLength(3);
    expect(expiresAt.toISOString()).toBe('2024-02-14T08:00:00.000Z');
    const claims = verifyToken(token, secret, new Date(t0.getTime() + 1000));
    expect(claims).toEqual({ sub: 'u-1', role: 'operator', tv: 3, iat: t0.getTime() / 1000, exp: t0.getTime() / 1000 + 3600, jti: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    expect(signToken(subject, secret, 3600, t0).token).not.toBe(token); // each token its own id
  });

  it('has a JWT-compatible HS256 header', () => {
    const { token } = signToken(subject, secret, 60, t0);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('rejects a token at and after its expiry', () => {
    const { token } = signToken(subject, secret, 60, t0);
    expect(reasonOf(() => verifyToken(token, secret, new Date(t0.getTime() + 59_000)))).toBeUndefined();
    expect(reasonOf(() => verifyToken(token, secret, new Date(t0.getTime() + 60_000)))).toBe('expired');
    expect(reasonOf(() => verifyToken(token, secret, new Date(t0.getTime() + 86_400_000)))).toBe('expired');
  });

  it('rejects a token signed with another secret', () => {
    const { token } = signToken(subject, 'other-secret', 60, t0);
    expect(reasonOf(() => verifyToken(token, secret, t0))).toBe('bad_signature');
  });

  it('rejects a tampered payload (role raised to admin)', () => {
    const { token } = signToken(subject, secret, 60, t0);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(reasonOf(() => verifyToken(`${h}.${forged}.${s}`, secret, t0))).toBe('bad_signature');
  });

  it('rejects a tampered signature and alg=none', () => {
    const { token } = signToken(subject, secret, 60, t0);
    const [h, p, s] = token.split('.');
    const flipped = s.slice(0, -2) + (s.endsWith('AA') ? 'BB' : 'AA');
    expect(reasonOf(() => verifyToken(`${h}.${p}.${flipped}`, secret, t0))).toBe('bad_signature');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(reasonOf(() => verifyToken(`${none}.${p}.`, secret, t0))).toBe('malformed');
    expect(reasonOf(() => verifyToken(`${none}.${p}.${s}`, secret, t0))).toBe('malformed');
  });

  it('rejects garbage', () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '...', 'a b.c.d', 'x'.repeat(5000)]) {
      expect(reasonOf(() => verifyToken(bad, secret, t0))).toBe('malformed');
    }
    expect(reasonOf(() => verifyToken(undefined as unknown as string, secret, t0))).toBe('malformed');
  });

  it('rejects a correctly signed payload with wrong claim types', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ sub: 'u-1', role: 'superuser', tv: 1, iat: 1, exp: 9e9, jti: 'abcdefgh12' })).toString('base64url');
    const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
    expect(reasonOf(() => verifyToken(`${h}.${p}.${s}`, secret, t0))).toBe('malformed');
  });
});

describe('token lifetime and encoding (red team findings)', () => {
  /** A token with these claims, properly signed: what someone holding the secret could mint. */
  const minted = (claims: Record<string, unknown>) => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ sub: 'u-1', role: 'operator', tv: 3, jti: 'abcdefgh12', ...claims })).toString('base64url');
    return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
  };
  const now = t0.getTime() / 1000;

  it('accepts only the canonical base64url signature, not one differing in the spare bits', () => {
    const { token } = signToken(subject, secret, 60, t0);
    const [h, p, s] = token.split('.');
    // 32 bytes are 43 characters: the last one carries 2 bits that decode to nothing.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    const variant = s.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    expect(reasonOf(() => verifyToken(`${h}.${p}.${variant}`, secret, t0))).toBe('bad_signature');
    expect(reasonOf(() => verifyToken(`${h}.${p}.${s}=`, secret, t0))).toBe('malformed');
  });

  it('refuses a token that claims a life longer than the maximum, however it was signed', () => {
    const limits = { maxLifetimeSeconds: 24 * 3600 };
    expect(reasonOf(() => verifyToken(minted({ iat: now, exp: now + 24 * 3600 }), secret, t0, limits))).toBeUndefined();
    expect(reasonOf(() => verifyToken(minted({ iat: now, exp: now + 365 * 86_400 }), secret, t0, limits))).toBe('malformed');
  });

  it('refuses a token issued in the future or older than the maximum lifetime', () => {
    const limits = { maxLifetimeSeconds: 3600, clockSkewSeconds: 60 };
    expect(reasonOf(() => verifyToken(minted({ iat: now + 30, exp: now + 600 }), secret, t0, limits))).toBeUndefined();
    expect(reasonOf(() => verifyToken(minted({ iat: now + 3000, exp: now + 3600 }), secret, t0, limits))).toBe('malformed');
    const { token } = signToken(subject, secret, 3600, t0);
    expect(reasonOf(() => verifyToken(token, secret, new Date(t0.getTime() + 3600_000), limits))).toBe('expired');
  });

  it('refuses claims without a token id (tokens from before logout existed)', () => {
    expect(reasonOf(() => verifyToken(minted({ iat: now, exp: now + 60, jti: undefined }), secret, t0))).toBe('malformed');
  });
});

describe('VerifiedTokens (verifyToken remembered per token)', () => {
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('returns the same claims again and still refuses the token once it has expired', () => {
    const tokens = new VerifiedTokens(secret);
    const { token } = signToken(subject, secret, 60, t0);
    expect(tokens.verify(token, at(1000))).toEqual(verifyToken(token, secret, at(1000)));
    expect(tokens.verify(token, at(59_000)).sub).toBe('u-1');
    expect(tokens.size).toBe(1);
    expect(reasonOf(() => tokens.verify(token, at(60_000)))).toBe('expired');
  });

  it('never remembers a rejected token, and a remembered one does not vouch for a tampered copy', () => {
    const tokens = new VerifiedTokens(secret);
    const { token } = signToken(subject, secret, 60, t0);
    tokens.verify(token, at(0));
    const [h, p, s] = token.split('.');
    const admin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })).toString('base64url');
    const forged = `${h}.${admin}.${s}`;
    expect(reasonOf(() => tokens.verify(forged, at(0)))).toBe('bad_signature');
    expect(reasonOf(() => tokens.verify(forged, at(0)))).toBe('bad_signature');
    expect(reasonOf(() => tokens.verify(signToken(subject, 'another-secret-0123456789abcdef', 60, t0).token, at(0)))).toBe('bad_signature');
    expect(tokens.size).toBe(1);
  });

  it('keeps at most maxEntries tokens and verifies correctly past that', () => {
    const tokens = new VerifiedTokens(secret, 3);
    const issued = [1, 2, 3, 4, 5].map((tv) => signToken({ ...subject, tv }, secret, 60, t0).token);
    for (const token of issued) tokens.verify(token, at(0));
    expect(tokens.size).toBeLessThanOrEqual(3);
    expect(issued.map((token) => tokens.verify(token, at(0)).tv)).toEqual([1, 2, 3, 4, 5]);
  });
});
