import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Role } from '@suara/contracts';

/**
 * Compact signed tokens in the JWT layout (`base64url(header).base64url(payload).base64url(sig)`,
 * HMAC-SHA256). Only HS256 with our own header is accepted: no `alg` negotiation.
 */
export interface TokenClaims {
  /** User id. */
  sub: string;
  role: Role;
  /** The user's token_version when the token was issued; a bump revokes every older token. */
  tv: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
  /** Token id: what `POST /api/auth/logout` revokes. */
  jti: string;
}

/** Limits every token is checked against, whatever it says of itself. */
export interface TokenLimits {
  /** Longest a token may live from its `iat`, in seconds: a longer `exp` is refused. */
  maxLifetimeSeconds: number;
  /** How far in the future `iat` may be (clocks of replicas differ a little), in seconds. */
  clockSkewSeconds?: number;
}

/** 24 hours: an election evening and the night after. */
export const DEFAULT_TOKEN_LIMITS: TokenLimits = { maxLifetimeSeconds: 24 * 3600, clockSkewSeconds: 60 };

/** `revoked`: well signed, but its user is gone or disabled, its token_version is stale, or it was logged out (TokenService). */
export type TokenFailure = 'malformed' | 'bad_signature' | 'expired' | 'revoked';

export class TokenError extends Error {
  constructor(readonly reason: TokenFailure) {
    super(`token rejected: ${reason}`);
  }
}

const HEADER = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function sign(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export interface SignedToken {
  token: string;
  /** When the token stops being accepted. */
  expiresAt: Date;
}

/** Signs a token for `subject` valid `ttlSeconds` from `now`. */
export function signToken(
  subject: { sub: string; role: Role; tv: number },
  secret: string,
  ttlSeconds: number,
  now: Date = new Date(),
): SignedToken {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = { sub: subject.sub, role: subject.role, tv: subject.tv, iat, exp: iat + ttlSeconds, jti: randomBytes(12).toString('base64url') };
  const body = `${HEADER}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
  return { token: `${body}.${b64url(sign(body, secret))}`, expiresAt: new Date(claims.exp * 1000) };
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Returns the claims of a token signed with `secret`, issued no later than `now` (give or take the
 * clock skew), living no longer than the maximum lifetime and not expired at `now`; throws
 * TokenError otherwise. Only the canonical encoding of the signature is accepted: base64url
 * leaves spare bits in its last character, and a token that differs in them is a different token.
 */
export function verifyToken(token: string, secret: string, now: Date = new Date(), limits: TokenLimits = DEFAULT_TOKEN_LIMITS): TokenClaims {
  if (typeof token !== 'string' || token.length > 4096) throw new TokenError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) throw new TokenError('malformed');
  const [header, payload, sig] = parts;
  if (header !== HEADER) throw new TokenError('malformed');
  const expected = sign(`${header}.${payload}`, secret);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== sig) throw new TokenError('bad_signature');
  return current(parseClaims(payload), now, limits);
}

function current(claims: TokenClaims, now: Date, limits: TokenLimits): TokenClaims {
  const seconds = Math.floor(now.getTime() / 1000);
  if (claims.exp - claims.iat > limits.maxLifetimeSeconds || claims.iat > seconds + (limits.clockSkewSeconds ?? 60)) throw new TokenError('malformed');
  if (seconds >= claims.exp || seconds - claims.iat >= limits.maxLifetimeSeconds) throw new TokenError('expired');
  return claims;
}

/**
 * `verifyToken` that remembers what it verified: the same token comes with every request of its
 * holder (an operator's five ballots, a dashboard's calls), and its HMAC and parse were ≈ 8 % of an
 * accepted submission's CPU. Keyed by the whole token, so only the exact bytes once verified skip
 * the check; expiry is checked on every use; a rejected token is never remembered.
 */
export class VerifiedTokens {
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    private readonly secret: string,
    private readonly maxEntries = 100_000,
    private readonly limits: TokenLimits = DEFAULT_TOKEN_LIMITS,
  ) {}

  verify(token: string, now: Date = new Date()): TokenClaims {
    const known = this.verified.get(token);
    if (known) return current(known, now, this.limits);
    const claims = verifyToken(token, this.secret, now, this.limits);
    if (this.verified.size >= this.maxEntries) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  /** Tokens remembered (for tests). */
  get size(): number {
    return this.verified.size;
  }
}

function parseClaims(payload: string): TokenClaims {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('malformed');
  }
  const c = raw as Partial<TokenClaims> | null;
  const ok =
    c !== null &&
    typeof c === 'object' &&
    typeof c.sub === 'string' &&
    Role.safeParse(c.role).success &&
    Number.isInteger(c.tv) &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp) &&
    typeof c.jti === 'string' &&
    /^[A-Za-z0-9_-]{8,64}$/.test(c.jti);
  if (!ok) throw new TokenError('malformed');
  return { sub: c.sub!, role: c.role!, tv: c.tv!, iat: c.iat!, exp: c.exp!, jti: c.jti! };
}
