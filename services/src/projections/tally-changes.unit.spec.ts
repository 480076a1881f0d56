import { describe, expect, it } from 'vitest';
import { decodeTallyChange, encodeTallyChange, type TallyChange } from './tally-changes';

describe('tally change NOTIFY payloads', () => {
  it('round-trips a small change in one payload', () => {
    const change: TallyChange = { position: '12:34', regions: [{ electionId: 'e', ballot: 'PPWP', regionCodes: ['12', '1222', '122201', '1222011001'] }] };
    const payloads = encodeTallyChange('proc-a', change);
    expect(payloads).toHaveLength(1);
    expect(decodeTallyChange(payloads[0])).toEqual({ origin: 'proc-a', change });
  });

  it('splits a large change under the NOTIFY size limit without losing a region', () => {
    const codes = Array.from({ length: 1500 }, (_, i) => `12220${String(i).padStart(5, '0')}`);
    const change: TallyChange = {
      position: '9:9',
      regions: [
        { electionId: 'e', ballot: 'PPWP', regionCodes: codes },
        { electionId: 'e', ballot: 'DPD', regionCodes: codes.slice(0, 100) },
      ],
    };
    const payloads = encodeTallyChange('proc-a', change);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    const decoded = payloads.map((p) => decodeTallyChange(p)!.change);
    const seen = (ballot: string) => decoded.flatMap((c) => c.regions!.filter((r) => r.ballot === ballot).flatMap((r) => r.regionCodes));
    expect(seen('PPWP')).toEqual(codes);
    expect(seen('DPD')).toEqual(codes.slice(0, 100));
    expect(decoded.every((c) => c.position === '9:9')).toBe(true);
  });

  it('sends "everything changed" when listing would take too many payloads, and ignores foreign payloads', () => {
    const codes = Array.from({ length: 20_000 }, (_, i) => `1${String(i).padStart(9, '0')}`);
    const payloads = encodeTallyChange('proc-a', { position: '1:1', regions: [{ electionId: 'e', ballot: 'PPWP', regionCodes: codes }] });
    expect(payloads).toHaveLength(1);
    expect(decodeTallyChange(payloads[0])).toEqual({ origin: 'proc-a', change: { position: '1:1', regions: null } });
    expect(decodeTallyChange('1:1')).toBeUndefined();
    expect(decodeTallyChange('{"x":1}')).toBeUndefined();
  });
});
