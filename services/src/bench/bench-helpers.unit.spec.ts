import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDesaCode, isTpsCode, BALLOTS, comparePositions } from '@suara/contracts';
import { ballotSheet } from '../election/ballot-sheets';
import { loadMasterData } from '../election/master-data';
import { validateForm } from '../tabulation/chasil.validation';
import { generateElectionData } from './election-data';
import { validForm } from './forms';
import { parseOptions } from './options';
import { positionKey } from './position-key';
import { payloadOfSize } from './raw-insert.bench';
import { withComment } from './photos.bench';
import { renderSheetPhoto } from '../simulator/sheet-photo';
import { inspectPhoto } from '../evidence/photo-image';
import { sha256Of } from '../evidence/blob-store.port';
import { writeFileSync } from 'node:fs';
import { quantile, seededRandom } from './stats';

const LABUSEL = resolve(__dirname, '../../election-data/labusel-2024');

describe('bench helpers', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'suara-bench-spec-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('generates an election folder the service loads, with the TPS asked for and all five ballots at each', () => {
    const generated = generateElectionData(LABUSEL, join(tmp, 'big'), 30_000);
    const { config, tps, regions } = loadMasterData(generated.dir);
    expect(tps).toHaveLength(30_000);
    expect(new Set(tps.map((t) => t.code)).size).toBe(30_000);
    expect(tps.every((t) => isTpsCode(t.code) && t.code.startsWith(t.desaCode))).toBe(true);
    expect(regions.filter((r) => isDesaCode(r.code)).length).toBe(generated.desa.size);
    expect(config.id).toBe(generated.electionId);
    for (const t of [tps[0], tps[12_345], tps.at(-1)!]) {
      for (const ballot of BALLOTS) expect(ballotSheet(config, ballot, t.code)).toBeDefined();
    }
  });

  it('makes forms that pass the C.Hasil validation for every ballot of every Labusel dapil', () => {
    const { config, tps } = loadMasterData(LABUSEL);
    const rnd = seededRandom(1);
    const desaFirstTps = [...new Map(tps.map((t) => [t.desaCode, t.code])).values()];
    for (const code of desaFirstTps) {
      for (const ballot of BALLOTS) {
        const sheet = ballotSheet(config, ballot, code)!;
        const result = validateForm(ballot, sheet, validForm(sheet, rnd));
        expect(result.ok ? [] : result.issues, `${code} ${ballot}`).toEqual([]);
        expect(result.flags, `${code} ${ballot}`).toEqual([]);
      }
    }
  });

  it('orders position keys exactly as comparePositions orders positions', () => {
    const positions = ['0', '5:1', '5:20', '12:3', '100:2', '99:1000', '18446744073709551615:1'];
    const byKey = [...positions].sort((a, b) => (positionKey(a) < positionKey(b) ? -1 : positionKey(a) > positionKey(b) ? 1 : 0));
    expect(byKey).toEqual([...positions].sort(comparePositions));
  });

  it('builds the raw-insert payload at exactly 400 bytes', () => {
    expect(JSON.stringify(payloadOfSize(400))).toHaveLength(400);
  });

  it('takes quantiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('parses the command line, refusing unknown measures and options', () => {
    const quick = parseOptions(['--quick', '--only', 'raw,rebuild'], {});
    expect(quick.quick).toBe(true);
    expect([...quick.only]).toEqual(['raw', 'rebuild']);
    expect(quick.rebuildEvents).toBeLessThan(200_000);
    expect(parseOptions([], {}).rebuildEvents).toBeGreaterThanOrEqual(200_000);
    expect(parseOptions([], { DATABASE_URL: 'postgres://x@h/db' }).postgresUrl).toBe('postgres://x@h/db');
    const cluster = 'postgres://x@h1:5432,h2:5433/postgres?target_session_attrs=read-write';
    expect(parseOptions(['--database-url', cluster], { DATABASE_URL: 'postgres://x@h/db' })).toMatchObject({ postgresUrl: cluster, defaultPostgres: false });
    expect(parseOptions([], {}).defaultPostgres).toBe(true);
    expect(() => parseOptions(['--database-url'], {})).toThrow(/--database-url needs a value/);
    expect(() => parseOptions(['--only', 'nope'], {})).toThrow(/unknown measure/);
    expect(() => parseOptions(['--fast'], {})).toThrow(/unknown option/);
    expect(parseOptions([], {}).ingestInstances).toBe(1);
    expect(parseOptions(['--instances', '2'], {}).ingestInstances).toBe(2);
    expect(() => parseOptions(['--instances', '0'], {})).toThrow(/--instances: not a positive number/);
  });

  it('gives every bench photo its own bytes, still a valid JPEG of the same picture', async () => {
    const jpeg = await renderSheetPhoto({ title: 'C.HASIL', lines: ['1'], width: 320, height: 240 });
    const a = withComment(jpeg, 'bench 1');
    const b = withComment(jpeg, 'bench 2');
    expect(new Set([sha256Of(jpeg), sha256Of(a), sha256Of(b)]).size).toBe(3);
    writeFileSync(join(tmp, 'commented.jpg'), b);
    await expect(inspectPhoto(join(tmp, 'commented.jpg'))).resolves.toMatchObject({ contentType: 'image/jpeg', width: 320, height: 240 });
  });
});
