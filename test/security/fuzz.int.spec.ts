import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import type { SuaraClient } from '@suara/contracts';
import type { SqlDatabase } from '../../services/src/db/sql';
import { SQL_DATABASE } from '../../services/src/db/tokens';
import { backends, bootApp, ppwpForm, type TestApp } from '../support/app';
import { health, waitUntil } from '../support/reliability';

/**
 * Property-based fuzzing of the HTTP API on a booted application over real HTTP (keep-alive, 16
 * requests at a time): well over 10,000 generated requests with wrong types, missing and extra
 * fields, huge and negative numbers, unicode, deep nesting, garbage JSON, wrong content types and
 * huge headers. No answer may be a 5xx, and no refused request may store anything: the event log
 * is exactly what it was before.
 */

const DESA = '1222011001';
const OTHER_DESA = '1222012002';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
/** Submitted before the fuzzing: a valid form for it can only be refused (409). */
const SUBMITTED = tps(1);
/** Never submitted: the fuzzer only ever sends refusable requests for these. */
const FRESH = [2, 3, 4, 5, 6].map(tps);
const BALLOTS = ['PPWP', 'DPR', 'DPD', 'DPRD_PROV', 'DPRD_KAB'];
const CONCURRENCY = 16;

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Only a refusal (4xx) is acceptable: a 2xx would mean a write the fuzzer must never make. */
  refusedOnly: boolean;
  route: string;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  error?: string;
}

// ---------------------------------------------------------------- value generators

const deepArray = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const deepObject = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

/** Values that are never a valid count (negative, fractional, not a number, nested…). */
const notACount = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.constantFrom(-1e308, 0.5, 1.0000001, 1e-300, -0.0001),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('50', '', ' 1', '1e3', '０１', '٣'),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.integer({ min: 2, max: 2000 }).map(deepArray),
  fc.integer({ min: 2, max: 2000 }).map(deepObject),
);
/** Huge values: out of range for any count. */
const huge = fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 2 ** 53, 1e21, 1e308, 10_000_000);
const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' });
/** Text of any kind: printable unicode, control characters (NUL included), lone code points. */
const unicodeText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 0, maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 0, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('admin\u0000', '\u0000', 'a\u0000b', '\u001b[31m', 'admin\r\nx-injected: 1', '\ud800', '\u202e', '%00', "' OR '1'='1", 'admin\u200b') },
);
const KNOWN_KEYS = new Set(['tpsCode', 'ballot', 'clientRequestId', 'form', 'votes', 'valid', 'invalid', 'voters', 'ballots', 'dpt', 'voted', 'received', 'used', 'damaged', 'unused', 'party', 'candidates', 'expectedVersion', 'reason', 'operatorConfirmation', 'username', 'password', 'role', 'scope', 'phase', 'size', 'seed']);
const extraKey = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '$where', 'a'.repeat(500)))
  .filter((k) => !KNOWN_KEYS.has(k) && !/^\s*[0-9]+\s*$/.test(k));
/** Strings that are not an in-scope TPS code of a fresh or the submitted TPS. */
const badTpsCode = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/^[\d.\s]+$/.test(s)),
  fc.constantFrom(`${OTHER_DESA}001`, `${DESA}999`, `${DESA}000`, DESA, '122201100100', '12220110010011', '12.22.01.1001.001x', '-1222011001002', '1222011001002\n'),
  notACount.filter((v) => typeof v !== 'string'),
);
const badBallot = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !BALLOTS.includes(s)),
  fc.constantFrom('ppwp', ' PPWP', 'PPWP ', 'DPR\u0000', 'P P W P', 'PPWP\u200b'),
  fc.constantFrom('DPR', 'DPRD_PROV', 'DPRD_KAB'), // a PPWP (flat) form is never a party ballot's form
  notACount.filter((v) => typeof v !== 'string'),
);
const badRequestId = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 100 }).filter((s) => !/^[A-Za-z0-9_-]{8,64}$/.test(s)),
  fc.constantFrom('short', 'x'.repeat(65), 'has space-123', 'ünïcödé-12345', '../../etc/passwd'),
  notACount.filter((v) => typeof v !== 'string'),
);

// ---------------------------------------------------------------- submissions

const BASE_FORM = {
  votes: { '01': 50, '02': 120, '03': 10 },
  valid: 180,
  invalid: 4,
  voters: { dpt: 280, voted: 184 },
  ballots: { received: 286, used: 184, damaged: 1, unused: 101 },
};
type Path = string[];
/** Removing any of these makes the body invalid (voters and ballots as a whole are optional). */
const DELETABLE: Path[] = [
  ['tpsCode'], ['ballot'], ['clientRequestId'], ['form'], ['form', 'votes'], ['form', 'valid'], ['form', 'invalid'],
  ['form', 'votes', '01'], ['form', 'votes', '02'], ['form', 'votes', '03'], ['form', 'voters', 'dpt'], ['form', 'voters', 'voted'],
  ['form', 'ballots', 'received'], ['form', 'ballots', 'used'], ['form', 'ballots', 'damaged'], ['form', 'ballots', 'unused'],
];
const COUNTS: Path[] = DELETABLE.filter((p) => p[0] === 'form' && p.length === 3).concat([['form', 'valid'], ['form', 'invalid']]);
const OBJECTS: Path[] = [[], ['form'], ['form', 'votes'], ['form', 'voters'], ['form', 'ballots']];

type Mutation =
  | { kind: 'delete'; path: Path }
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'extra'; at: Path; key: string; value: unknown };

/** Every mutation on its own makes a submission invalid, and none can undo another. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...DELETABLE) }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...COUNTS), value: notACount }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom<Path>(['form', 'votes', '01'], ['form', 'votes', '02']), value: huge }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constant<Path>(['tpsCode']), value: badTpsCode }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constant<Path>(['ballot']), value: badBallot }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constant<Path>(['clientRequestId']), value: badRequestId }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom<Path>(['form'], ['form', 'votes'], ['form', 'voters'], ['form', 'ballots']), value: notACount }),
  fc.record({ kind: fc.constant('extra' as const), at: fc.constantFrom(...OBJECTS), key: extraKey, value: anyJson }),
);

function applyMutation(body: Record<string, unknown>, m: Mutation): void {
  const path = m.kind === 'extra' ? m.at : m.path.slice(0, -1);
  let target: unknown = body;
  for (const key of path) {
    target = (target as Record<string, unknown> | null)?.[key];
    if (target === null || typeof target !== 'object' || Array.isArray(target)) return; // the parent is already broken
  }
  const obj = target as Record<string, unknown>;
  if (m.kind === 'delete') delete obj[m.path[m.path.length - 1]];
  else if (m.kind === 'set') obj[m.path[m.path.length - 1]] = m.value;
  else Object.defineProperty(obj, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
}

const requestIds = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 8, maxLength: 40 });

/** A submission to a fresh TPS broken by 1–3 mutations. */
const brokenSubmission = fc
  .record({ tpsCode: fc.constantFrom(...FRESH), clientRequestId: requestIds, mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) })
  .map(({ tpsCode, clientRequestId, mutations }) => {
    const body: Record<string, unknown> = { tpsCode, ballot: 'PPWP', clientRequestId: `fz-${clientRequestId}`, form: structuredClone(BASE_FORM) };
    for (const m of mutations) applyMutation(body, m);
    return body;
  });

/** A consistent form with random numbers: for the already submitted TPS, only a 409 can answer it. */
const consistentForm = fc
  .record({ a: fc.nat(400), b: fc.nat(400), c: fc.nat(400), invalid: fc.nat(30), dpt: fc.nat(1000) })
  .map(({ a, b, c, invalid, dpt }) => ppwpForm({ '01': a, '02': b, '03': c }, invalid))
  .map((f) => ({ ...f, voters: { dpt: f.voters.dpt, voted: f.voters.voted } }));
const duplicateSubmission = fc
  .record({ clientRequestId: requestIds, form: fc.oneof(consistentForm, brokenSubmission.map((b) => b.form)) })
  .map(({ clientRequestId, form }) => ({ tpsCode: SUBMITTED, ballot: 'PPWP', clientRequestId: `dup-${clientRequestId}`, form }));

// ---------------------------------------------------------------- bodies, headers, paths on the wire

const GARBAGE = [
  '', ' ', 'null', 'true', '[]', '{}', '"x"', '1e400', '-0', 'NaN', 'undefined', '{"a":1,}', "{'a':1}", '{"a":1,"a":2}',
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '\uFEFF{}', '\u0000', '{"form":{"votes":{"01":1e999}}}',
  '['.repeat(20_000), `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  '{"tpsCode":"1222011001002","ballot":"PPWP","clientRequestId":"truncated-1234","form":{"votes":{"01":1',
];

const wireBody = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 14, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: value.map((v) => (JSON.stringify(v) ?? 'null').slice(0, -1)) },
    { weight: 1, arbitrary: value.map((v) => `\uFEFF${JSON.stringify(v)}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom(...GARBAGE) },
    { weight: 1, arbitrary: fc.integer({ min: 65 * 1024, max: 160 * 1024 }).map((n) => `{"pad":"${'x'.repeat(n)}"}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 120 });
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/json; charset=utf-16',
      'application/json; charset=latin1', 'application/xml', 'application/json, text/plain', '*/*', 'application/vnd.api+json', 'APPLICATION/JSON',
      'application/json;;;', 'text/json', 'application/octet-stream',
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

interface Tokens { operator: string; verifier: string; official: string; admin: string }

function authHeader(tokens: Tokens, intended: keyof Tokens | undefined): fc.Arbitrary<string | undefined> {
  const right = intended ? `Bearer ${tokens[intended]}` : undefined;
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(right) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.values(tokens)).map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: headerValue.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: headerValue },
    { weight: 1, arbitrary: fc.constantFrom(`bearer ${tokens.admin}x`, `Bearer  ${tokens.admin}.x`, `Basic YWRtaW46YWRtaW4=`, `Bearer ${tokens.admin.split('.').slice(0, 2).join('.')}.`) },
  );
}

/** Node's limit on a request's header block (`--max-http-header-size`, 16 KiB unless changed). */
const MAX_HEADER_BYTES = 16 * 1024;
/** Bytes these headers take in the request's header block (`name: value\r\n`). */
const headerBytes = (headers: Record<string, string>) => Object.entries(headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 4, 0);

const extraHeaders = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 2, arbitrary: fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 4 }) },
  { weight: 1, arbitrary: headerValue.map((v) => ({ 'x-request-id': v })) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 40_000 }).map((n) => ({ 'x-huge': 'h'.repeat(n) })) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 200 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-many-${i}`, String(i)]))) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ 'transfer-encoding': 'chunked' }, { 'content-encoding': 'gzip' }, { expect: '100-continue' }) },
);

function onWire(
  route: string, method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<string | undefined>, auth: fc.Arbitrary<string | undefined>, refusedOnly: boolean,
): fc.Arbitrary<FuzzRequest> {
  return fc.record({ path, body, auth, type: contentType, extra: extraHeaders }).map(({ path: p, body: b, auth: a, type, extra }) => {
    const headers: Record<string, string> = { ...extra };
    if (a !== undefined) headers.authorization = a;
    if (type !== undefined && b !== undefined) headers['content-type'] = type;
    return { route, method, path: p, body: b, headers, refusedOnly };
  });
}

/** Percent-encodes text for a URL (lone surrogates cannot be encoded: they become U+FFFD). */
const encodePart = (s: string) => encodeURIComponent((s as string & { toWellFormed(): string }).toWellFormed());

/** Path segments: codes, near-codes, unicode, traversal, very long. */
const segment = fc.oneof(
  fc.constantFrom(SUBMITTED, ...FRESH, DESA, OTHER_DESA, '1222', '12', `${OTHER_DESA}001`, '12.22.01.1001.001', '12.22', '0', '-1', '..', '.', '%00'),
  fc.stringMatching(/^[0-9]{1,16}$/),
  unicodeText.filter((s) => s.length > 0),
  fc.integer({ min: 1_000, max: 9_000 }).map((n) => '9'.repeat(n)),
).map(encodePart);
const queryValue = fc.oneof(fc.constantFrom('PPWP', 'DPR', 'submitted,corrected', '10', '-1', '0', '1e3', '', 'verified,verified,verified,verified,verified'), unicodeText).map(encodePart);

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

// ---------------------------------------------------------------- the suite

const backend = backends().includes('postgres') ? 'postgres' : 'pglite';

describe(`HTTP fuzzing on ${backend}`, () => {
  let t: TestApp;
  let db: SqlDatabase;
  let port: number;
  let tokens: Tokens;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const stats = { requests: 0, byStatus: new Map<number, number>(), created: 0, usersCreated: 0 };
  let eventsBefore: number;
  let positionBefore: string | null | undefined;
  let usersBefore: number;

  const countEvents = async () => Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages')).rows[0].n);

  function send(r: FuzzRequest, keepAlive = true): Promise<Reply> {
    return new Promise((resolve) => {
      const body = r.body === undefined ? undefined : Buffer.from(r.body, 'utf8');
      const headers: Record<string, string> = { ...r.headers };
      if (body && !('transfer-encoding' in headers)) headers['content-length'] = String(body.length);
      let req;
      try {
        req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: keepAlive ? agent : false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => resolve({ status: 0, headers: {}, body: '', error: String(e) }));
        });
      } catch (e) {
        resolve({ status: -1, headers: {}, body: '', error: String(e) });
        return;
      }
      req.setTimeout(120_000, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: 0, headers: {}, body: '', error: String(e) }));
      req.end(body);
    });
  }

  /**
   * A request that found its keep-alive connection closed by the server (after another request's
   * 413 or 431) is sent once more on a fresh connection: only a server that never answers fails.
   */
  async function sendOnce(r: FuzzRequest): Promise<Reply> {
    const reply = await send(r);
    if (reply.status !== 0) return reply;
    return send(r, false);
  }

  /** Sends one batch at once and checks every answer. */
  async function check(batch: FuzzRequest[]): Promise<void> {
    const replies = await Promise.all(batch.map(sendOnce));
    replies.forEach((reply, i) => {
      const r = batch[i];
      const what = `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 300)} ${String(r.body).slice(0, 300)}`;
      stats.requests++;
      stats.byStatus.set(reply.status, (stats.byStatus.get(reply.status) ?? 0) + 1);
      if (reply.status === -1) throw new Error(`the client could not send ${what}: ${reply.error}`);
      const headerSize = headerBytes(r.headers);
      if (reply.status === 0) {
        // Over Node's limit the server answers 431 and closes the connection, which a client still
        // writing its request sees as a reset; anything else (a timeout, a header block under the limit) is no answer.
        if (headerSize <= MAX_HEADER_BYTES - 1024) throw new Error(`no answer to ${what}: ${reply.error}`);
        // The 431 carries a body; a HEAD request's client reads it as the start of a next response.
        const closed = r.method === 'HEAD' ? /ECONNRESET|EPIPE|socket hang up|Parse Error: Expected HTTP\// : /ECONNRESET|EPIPE|socket hang up/;
        expect(reply.error, `no 431 and no reset for a header block of ${headerSize} bytes: ${what}`).toMatch(closed);
      } else if (headerSize > MAX_HEADER_BYTES) {
        expect(reply.status, `a header block of ${headerSize} bytes answered: ${what}`).toBe(431);
      }
      expect(reply.status, `5xx for ${what}: ${reply.body.slice(0, 500)}`).toBeLessThan(500);
      if (r.refusedOnly) expect(reply.status, `accepted ${what}: ${reply.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      if (reply.status >= 200 && reply.status < 300 && r.route === 'create-user') stats.usersCreated++;
      if (reply.status >= 400 && r.method !== 'HEAD' && String(reply.headers['content-type'] ?? '').includes('json')) {
        let parsed: { error?: unknown; message?: unknown; stack?: unknown };
        try {
          parsed = JSON.parse(reply.body) as typeof parsed;
        } catch {
          throw new Error(`answer to ${what} says JSON but is not: ${reply.status} ${reply.body.slice(0, 300)}`);
        }
        expect(typeof parsed.error, `error shape for ${what}: ${reply.body.slice(0, 300)}`).toBe('string');
        expect(typeof parsed.message).toBe('string');
        expect(parsed.stack).toBeUndefined();
        expect(reply.body).not.toMatch(/\bat [\w.<>]+ \(.*:\d+:\d+\)/);
      }
    });
  }

  const batchOf = (request: fc.Arbitrary<FuzzRequest>) => fc.array(request, { minLength: CONCURRENCY, maxLength: CONCURRENCY });
  /** Runs `runs` batches; a failure reports the failing request itself (the batch can be huge). */
  const fuzz = async (request: fc.Arbitrary<FuzzRequest>, runs: number) => {
    const details = await fc.check(fc.asyncProperty(batchOf(request), check), { numRuns: runs, endOnFailure: true });
    if (details.failed) throw new Error(`fuzzing failed (seed ${details.seed}, path ${details.counterexamplePath}): ${String((details.errorInstance as Error)?.message ?? details.errorInstance)}`);
  };

  beforeAll(async () => {
    t = await bootApp(backend, { LOG_LEVEL: 'error' });
    port = Number(new URL(t.url).port);
    db = t.app.get<SqlDatabase>(SQL_DATABASE);
    const operator: SuaraClient = await t.userClient('operator', [DESA]);
    const verifier = await t.userClient('verifier');
    const official = await t.userClient('official');
    tokens = { operator: operator.token!, verifier: verifier.token!, official: official.token!, admin: t.admin.token! };
    await operator.submit({ tpsCode: SUBMITTED, ballot: 'PPWP', clientRequestId: 'fuzz-original-0001', form: BASE_FORM });
    eventsBefore = await countEvents();
    expect(eventsBefore).toBe(1);
    // The store's visible head may trail while other transactions run on a shared server: wait
    // until it shows the submission, so that any later move means a new event.
    positionBefore = await waitUntil('the submission to be visible', async () => {
      const position = (await health(t.url)).body.eventStore.position;
      return position && position !== '0' ? position : undefined;
    });
    usersBefore = (await t.admin.users()).length;
  });

  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  it('never answers 5xx to broken or duplicate submissions, and accepts none of them', async () => {
    const body = wireBody(fc.oneof({ weight: 3, arbitrary: brokenSubmission }, { weight: 1, arbitrary: duplicateSubmission }, { weight: 1, arbitrary: anyJson }));
    await fuzz(onWire('submit', 'POST', fc.constant('/api/results'), body, authHeader(tokens, 'operator'), true), 250);
  }, 600_000);

  it('never answers 5xx on the dry run, whatever the body', async () => {
    const body = wireBody(fc.oneof(brokenSubmission, duplicateSubmission, anyJson));
    await fuzz(onWire('validate', 'POST', fc.constant('/api/results/validate'), body, authHeader(tokens, 'operator'), false), 90);
  }, 600_000);

  it('refuses every broken verification and correction without a 5xx', async () => {
    const path = fc
      .record({ tps: fc.oneof(fc.constantFrom(...FRESH).map(encodePart), segment.filter((s) => safeDecode(s).replace(/\./g, '') !== SUBMITTED)), ballot: fc.oneof(fc.constantFrom(...BALLOTS), segment), what: fc.constantFrom('verify', 'corrections') })
      .map(({ tps: code, ballot, what }) => `/api/results/${code}/${ballot}/${what}`);
    const body = wireBody(
      fc.oneof(
        fc.record({ expectedVersion: fc.oneof(fc.integer({ min: -5, max: 5 }), huge, notACount) }),
        fc.record({ expectedVersion: fc.nat(3), form: fc.oneof(consistentForm, brokenSubmission.map((b) => b.form)), reason: unicodeText, operatorConfirmation: unicodeText }, { requiredKeys: [] }),
        anyJson,
      ),
    );
    await fuzz(onWire('verify', 'POST', path, body, authHeader(tokens, 'verifier'), true), 100);
  }, 600_000);

  it('never answers 5xx on login, user administration, phase and sample routes', async () => {
    const login = onWire(
      'login', 'POST', fc.constant('/api/auth/login'),
      wireBody(fc.oneof(fc.record({ username: fc.oneof(unicodeText, fc.constantFrom('admin', ''), notACount), password: fc.oneof(unicodeText, notACount) }, { requiredKeys: [] }), anyJson)),
      fc.constant(undefined), false,
    );
    const createUser = onWire(
      'create-user', 'POST', fc.constant('/api/admin/users'),
      wireBody(fc.oneof(
        fc.record({ username: fc.oneof(unicodeText, notACount), password: fc.oneof(unicodeText, notACount), role: fc.oneof(fc.constantFrom('admin', 'operator', 'root', ''), notACount), scope: fc.oneof(fc.array(unicodeText, { maxLength: 3 }), notACount) }, { requiredKeys: [] }),
        anyJson,
      )),
      authHeader(tokens, 'admin'), false,
    );
    const phase = onWire(
      'phase', 'POST', fc.constant('/api/admin/election/phase'),
      wireBody(fc.oneof(fc.record({ phase: fc.oneof(unicodeText, notACount).filter((p) => p !== 'real') }), anyJson.filter((v) => JSON.stringify(v) !== '{"phase":"real"}'))),
      authHeader(tokens, 'admin'), true,
    );
    const sample = onWire(
      'sample', 'POST', fc.constant('/api/admin/quickcount/sample'),
      wireBody(fc.oneof(fc.record({ ballot: fc.oneof(fc.constantFrom(...BALLOTS), unicodeText, notACount), size: fc.oneof(notACount, huge, fc.integer({ min: -5, max: 1 })), seed: fc.oneof(unicodeText, notACount) }, { requiredKeys: [] }), anyJson)),
      authHeader(tokens, 'admin'), false,
    );
    await fuzz(fc.oneof(login, createUser, phase, sample), 150);
  }, 600_000);

  it('never answers 5xx to reads with garbage paths, queries and methods', async () => {
    const reads = fc.oneof(
      fc.tuple(segment, segment).map(([a, b]) => `/api/results/${a}/${b}`),
      fc.tuple(segment, segment).map(([a, b]) => `/api/results/${a}/${b}/history`),
      segment.map((a) => `/api/regions/${a}`),
      segment.map((a) => `/api/tps/${a}/ballots`),
      fc.tuple(segment, queryValue).map(([a, q]) => `/api/tallies/${a}?ballot=${q}`),
      fc.tuple(queryValue, queryValue).map(([b, l]) => `/api/anomalies?ballot=${b}&limit=${l}`),
      queryValue.map((q) => `/api/quickcount?ballot=${q}`),
      fc.tuple(queryValue, queryValue).map(([l, b]) => `/api/admin/audit?limit=${l}&before=${b}`),
      fc.tuple(queryValue, queryValue).map(([s, b]) => `/api/results?status=${s}&ballot=${b}`),
      fc.constantFrom('/api/me', '/api/election', '/health', '/api/results?status=&status=x', '/api/tallies/1222?ballot=PPWP&ballot=DPR', '/%', '/api/%zz', '/api/results/%E0%A4%A'),
    );
    const role = fc.constantFrom<keyof Tokens>('operator', 'verifier', 'official', 'admin');
    const get = role.chain((r) => onWire('read', 'GET', reads, fc.constant(undefined), authHeader(tokens, r), false));
    const otherMethods = fc
      .tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'), fc.constantFrom('/api/results', `/api/results/${SUBMITTED}/PPWP`, '/api/admin/users', '/api/election', '/health'))
      .chain(([method, path]) => onWire('method', method, fc.constant(path), wireBody(anyJson), authHeader(tokens, 'admin'), method !== 'HEAD' && method !== 'OPTIONS'));
    await fuzz(fc.oneof({ weight: 5, arbitrary: get }, { weight: 1, arbitrary: otherMethods }), 125);
  }, 600_000);

  it('answers text the database cannot hold (NUL, lone surrogates) with a 4xx, not a 500', async () => {
    const json = { 'content-type': 'application/json' };
    const nasty = ['a\u0000b', '\u0000', '\ud800', 'x\udfffy', 'admin\u0000'];
    const batch: FuzzRequest[] = nasty.flatMap((text) => [
      { route: 'login', method: 'POST', path: '/api/auth/login', headers: json, body: JSON.stringify({ username: text, password: text }), refusedOnly: true },
      { route: 'login', method: 'POST', path: '/api/auth/login', headers: json, body: JSON.stringify({ username: 'admin', password: text }), refusedOnly: true },
      { route: 'create-user', method: 'POST', path: '/api/admin/users', headers: { ...json, authorization: `Bearer ${tokens.admin}` }, body: JSON.stringify({ username: text, password: `${text}-password`, role: 'official' }), refusedOnly: true },
      { route: 'sample', method: 'POST', path: '/api/admin/quickcount/sample', headers: { ...json, authorization: `Bearer ${tokens.admin}` }, body: JSON.stringify({ ballot: 'PPWP', size: 1, seed: text }), refusedOnly: true },
      { route: 'submit', method: 'POST', path: '/api/results', headers: { ...json, authorization: `Bearer ${tokens.operator}` }, body: JSON.stringify({ tpsCode: FRESH[0], ballot: 'PPWP', clientRequestId: text, form: BASE_FORM }), refusedOnly: true },
      { route: 'verify', method: 'POST', path: `/api/results/${FRESH[0]}/PPWP/corrections`, headers: { ...json, authorization: `Bearer ${tokens.verifier}` }, body: JSON.stringify({ expectedVersion: 1, form: BASE_FORM, reason: text.repeat(5), operatorConfirmation: text.repeat(3) }), refusedOnly: true },
      { route: 'read', method: 'GET', path: `/api/regions/${encodePart(text)}`, headers: { authorization: `Bearer ${tokens.official}` }, refusedOnly: true },
    ]);
    await check(batch);
  });

  it('sent at least 10,000 requests and stored nothing that was refused', async () => {
    expect(stats.requests).toBeGreaterThanOrEqual(10_000);
    console.log(`fuzz: ${stats.requests} requests, by status ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort((a, b) => a[0] - b[0])))}`);
    expect(stats.byStatus.get(409) ?? 0).toBeGreaterThan(0);
    expect(await countEvents()).toBe(eventsBefore);
    expect((await health(t.url)).body.eventStore.position).toBe(positionBefore);
    for (const code of FRESH) expect((await t.admin.result(code, 'PPWP')).status).toBe('empty');
    const stored = await t.admin.result(SUBMITTED, 'PPWP');
    expect(stored).toMatchObject({ status: 'submitted', version: 1, form: BASE_FORM });
    expect((await t.admin.election()).mode).toBe('simulation');
    expect((await t.admin.users()).length).toBe(usersBefore + stats.usersCreated);
  });
});
