import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sainteLague } from '../election/sainte-lague';
import { SuaraClient, type CHasilForm } from '@suara/contracts';
import { clientRequestId, operatorAccounts, pickTps, runTag, spreadPick } from './accounts';
import { callWithRetry, mapLimit, StatusCounter } from './api-calls';
import { DEFAULT_SPEED, HELP, parseCommandLine, UsageError } from './cli-options';
import { compareTotals, dapilOfTps, dapilTotalsAsVotes, expectedSeats, expectedTotals, sameNumbers, tallyVotes } from './tally-expectation';

describe('parseCommandLine', () => {
  it('has defaults that play the evening in a minute with every ballot', () => {
    const parsed = parseCommandLine([], { SUARA_ADMIN_USER: 'admin', SUARA_ADMIN_PASSWORD: 'rahasia-123' });
    expect(parsed).toEqual({
      help: false,
      options: expect.objectContaining({
        url: 'http://localhost:3000', adminUser: 'admin', adminPassword: 'rahasia-123', speed: 360, mistakes: 0.03,
        ballots: ['PPWP', 'DPR', 'DPD', 'DPRD_PROV', 'DPRD_KAB'], verifierBot: false, concurrency: 16, reset: false, allowReal: false, photos: 0.3,
      }),
    });
    expect(DEFAULT_SPEED * 60).toBe(6 * 3600);
  });

  it('reads every option', () => {
    const parsed = parseCommandLine([
      '--url', 'http://x:4000/', '--admin-user', 'a', '--admin-password', 'b', '--speed', 'max', '--ballots', 'ppwp,DPD',
      '--mistakes', '0.1', '--concurrency', '4', '--verifier-bot', '--seed', 's1', '--tps-limit', '30', '--draw-sample', '20', '--reset', '--json', '--photos', '0',
    ], {});
    expect(parsed.help).toBe(false);
    if (parsed.help) return;
    expect(parsed.options).toMatchObject({
      url: 'http://x:4000', adminUser: 'a', adminPassword: 'b', speed: Infinity, ballots: ['PPWP', 'DPD'], mistakes: 0.1,
      concurrency: 4, verifierBot: true, seed: 's1', tpsLimit: 30, drawSample: 20, reset: true, json: true, photos: 0,
    });
  });

  it('answers --help and refuses bad input with a usage error', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ help: true });
    expect(HELP).toContain('--verifier-bot');
    expect(() => parseCommandLine(['--speed', '0'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['--ballots', 'PPWP,DPRX'], {})).toThrow(/DPRX/);
    expect(() => parseCommandLine(['--mistakes', '2'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['--photos', '1.2'], {})).toThrow(/--photos/);
    expect(() => parseCommandLine(['--tps-limit', '1.5'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['--bogus'], {})).toThrow(UsageError);
  });
});

describe('accounts', () => {
  const tps = (desa: string, n: number) => Array.from({ length: n }, (_, i) => ({ code: `${desa}${String(i + 1).padStart(3, '0')}`, desaCode: desa }));

  it('gives each desa an operator, and a large desa several, each TPS to exactly one', () => {
    const list = [...tps('1222011001', 20), ...tps('1222011002', 3)];
    const accounts = operatorAccounts(list, 8);
    expect(accounts.map((a) => [a.username, a.tpsCodes.length])).toEqual([
      ['sim-op-1222011001-1', 6], ['sim-op-1222011001-2', 7], ['sim-op-1222011001-3', 7], ['sim-op-1222011002-1', 3],
    ]);
    expect(accounts.flatMap((a) => a.tpsCodes).sort()).toEqual(list.map((t) => t.code).sort());
  });

  it('spreads a limited pick over the whole list', () => {
    expect(spreadPick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([0, 3, 6]);
    expect(spreadPick([1, 2], 5)).toEqual([1, 2]);
    expect(spreadPick([1, 2], undefined)).toEqual([1, 2]);
  });

  it('plays the quick count sample\'s TPS in a limited run', () => {
    const all = Array.from({ length: 100 }, (_, i) => ({ code: String(1000 + i) }));
    const picked = pickTps(all, 10, ['1099', '1050', '1051']).map((t) => t.code);
    expect(picked).toHaveLength(10);
    expect(picked).toEqual(expect.arrayContaining(['1099', '1050', '1051']));
    expect(picked).toEqual([...picked].sort());
    expect(pickTps(all, undefined, ['1099'])).toHaveLength(100);
    expect(pickTps(all, 2, ['1001', '1002', '1003']).map((t) => t.code)).toEqual(['1001', '1002', '1003']);
  });

  it('makes valid, repeatable clientRequestIds', () => {
    const id = clientRequestId(runTag('seed'), '1222011001001', 'DPRD_PROV', true);
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(id.endsWith('-DPRD_PROV-fix')).toBe(true);
    expect(runTag('seed')).toBe(runTag('seed'));
    expect(runTag('seed')).not.toBe(runTag('other'));
  });
});

describe('callWithRetry', () => {
  const fastRetry = { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 };

  it('resends the very same submission after a lost answer and a 503, then takes the 201', async () => {
    const bodies: string[] = [];
    let call = 0;
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      call++;
      if (call === 1) throw new TypeError('fetch failed');
      if (call === 2) return new Response(JSON.stringify({ error: 'unavailable', message: 'sebentar' }), { status: 503 });
      return new Response(JSON.stringify({ tpsCode: '1222011001001', ballot: 'PPWP', status: 'submitted', version: 1 }), { status: 201 });
    }) as unknown as typeof fetch;
    const client = new SuaraClient('http://sim', 'token', fakeFetch);
    const counter = new StatusCounter();
    const form = { votes: { '01': 1 }, valid: 1, invalid: 0 };
    const outcome = await callWithRetry(() => client.submit({ tpsCode: '1222011001001', ballot: 'PPWP', clientRequestId: 'sim-abc-1', form }), counter, fastRetry);
    expect(outcome).toMatchObject({ ok: true, status: 201, attempts: 3 });
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]).clientRequestId).toBe('sim-abc-1');
    expect(counter.counts).toEqual({ network: 1, 503: 1, 201: 1 });
  });

  it('does not retry a 400 or a 409, and gives up after the attempts', async () => {
    let calls = 0;
    const answer = (status: number) => (async () => { calls++; return new Response(JSON.stringify({ error: 'x', message: 'y' }), { status }); }) as unknown as typeof fetch;
    for (const status of [400, 409]) {
      calls = 0;
      const outcome = await callWithRetry(() => new SuaraClient('http://sim', 't', answer(status)).request('POST', '/api/results', {}), undefined, fastRetry);
      expect(outcome).toMatchObject({ ok: false, status, attempts: 1 });
      expect(calls).toBe(1);
    }
    calls = 0;
    const down = await callWithRetry(() => new SuaraClient('http://sim', 't', answer(502)).request('GET', '/health'), undefined, fastRetry);
    expect(down).toMatchObject({ ok: false, status: 'gave_up', attempts: 5 });
    expect(calls).toBe(5);
  });
});

describe('mapLimit', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++; most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});

describe('tally expectation', () => {
  const party: CHasilForm = { votes: { '1': { party: 3, candidates: { '1': 5, '2': 0 } }, '2': { party: 1, candidates: {} } }, valid: 9, invalid: 1 };

  it('counts a party as party-only plus its candidates, and each candidate and the party-only votes apart', () => {
    expect(tallyVotes('DPR', party)).toEqual({ '1': 8, '1.p': 3, '1.c1': 5, '1.c2': 0, '2': 1, '2.p': 1 });
    expect(tallyVotes('PPWP', { votes: { '01': 4 }, valid: 4, invalid: 0 })).toEqual({ '01': 4 });
  });

  it('adds forms up and names every difference with a tally, candidates included', () => {
    const expected = expectedTotals('DPR', [party, party]);
    expect(expected).toEqual({ votes: { '1': 16, '1.p': 6, '1.c1': 10, '1.c2': 0, '2': 2, '2.p': 2 }, valid: 18, invalid: 2 });
    expect(compareTotals(expected, { votes: { '1': 16, '2': 2, '1.p': 6, '1.c1': 10, '2.p': 2 }, valid: 18, invalid: 2 })).toEqual([]);
    expect(compareTotals(expected, { votes: { '1': 16, '2': 2, '1.p': 6, '1.c1': 9, '1.c2': 1, '2.p': 2 }, valid: 18, invalid: 2 })).toEqual([
      'votes 1.c1: expected 10, got 9', 'votes 1.c2: expected 0, got 1',
    ]);
    expect(compareTotals(expected, { votes: { '1': 15, '1.p': 6, '1.c1': 10, '2.p': 2, '3': 1 }, valid: 18, invalid: 3 })).toEqual([
      'invalid: expected 2, got 3', 'votes 1: expected 16, got 15', 'votes 2: expected 2, got 0', 'votes 3: expected 0, got 1',
    ]);
  });

  it('compares forms by their numbers only', () => {
    const reordered: CHasilForm = { invalid: 1, valid: 9, votes: { '2': { candidates: {}, party: 1 }, '1': { party: 3, candidates: { '1': 5 } } } };
    expect(sameNumbers(party, reordered)).toBe(true);
    expect(sameNumbers(party, { ...reordered, invalid: 2 })).toBe(false);
  });
});

describe('the simulator\'s dapil check', () => {
  it('places a TPS in the dapil listing its nearest region', () => {
    const dapils = [{ code: 'KAB-1', regionCodes: ['122201', '122202'] }, { code: 'KAB-2', regionCodes: ['1222'] }, { code: 'KAB-3', regionCodes: ['1222022001'] }];
    expect(dapilOfTps(dapils, '1222011001001')).toBe('KAB-1');
    expect(dapilOfTps(dapils, '1222022001004')).toBe('KAB-3');
    expect(dapilOfTps(dapils, '1222031001001')).toBe('KAB-2');
    expect(dapilOfTps(dapils, '1201011001001')).toBeUndefined();
  });

  it('reads a dapil tally\'s party totals in the keys of its own sums', () => {
    expect(dapilTotalsAsVotes({ '2': { party: 5, candidates: { '1': 40 }, total: 45 } })).toEqual({ '2': 45, '2.p': 5, '2.c1': 40 });
  });

  it('computes seats as a quotient table, and agrees with the server\'s Sainte-Laguë on any votes, ties included', () => {
    // 30 and 10 votes, 2 seats: quotients 30, 10 (30/3) and 10 tie; the tie goes to the party with more votes.
    expect(expectedSeats({ '1': 30, '2': 10 }, 2)).toEqual([{ party: '1', seats: 2 }]);
    fc.assert(fc.property(
      fc.dictionary(fc.integer({ min: 1, max: 24 }).map(String), fc.integer({ min: 0, max: 400 }), { maxKeys: 8 }),
      fc.integer({ min: 1, max: 12 }),
      (votes, seats) => {
        expect(expectedSeats(votes, seats)).toEqual(sainteLague(votes, seats));
      },
    ));
  });
});
