import { describe, expect, it } from 'vitest';
import type { QuickCountCall, QuickCountView, TallyView } from '@suara/contracts';
import { axisMax, callLines, fmtDifference, fullShares, onAxis } from '../../dashboard/src/lib/quickcount';
import { fmtTime, fmtWib } from '../../dashboard/src/lib/format';

const call = (kind: 'majority' | 'lead', since: string, holds = true, option = '02'): QuickCountCall => ({ kind, option, since, received: 162, holds });

describe('quick count helpers of the dashboard', () => {
  it('says the call time as officials do, in WIB whatever the browser\'s zone', () => {
    expect(fmtWib('2024-02-14T12:42:10Z')).toBe('19.42 WIB');
    expect(fmtWib('2024-02-14T17:05:00Z')).toBe('00.05 WIB');
    expect(fmtWib('kemarin')).toBe('—');
  });

  it('says every other time the same way, with the day only when it is not today in WIB', () => {
    const now = new Date('2024-02-14T15:00:00Z'); // 22.00 WIB
    expect(fmtTime('2024-02-14T12:42:10Z', now)).toBe('19.42 WIB');
    expect(fmtTime('2024-02-14T17:05:00Z', now)).toBe('15 Feb 00.05 WIB');
    expect(fmtTime('2024-02-13T12:42:10Z', now)).toBe('13 Feb 19.42 WIB');
    expect(fmtTime(null, now)).toBe('—');
  });

  it('reads a majority and a lead made at the same arrival as one line, and apart otherwise', () => {
    expect(callLines([call('majority', '2024-02-14T12:42:10Z'), call('lead', '2024-02-14T12:42:10Z')])).toEqual([
      { key: 'both', option: '02', text: 'di atas 50% dan unggul secara statistik sejak 19.42 WIB (162 TPS sampel)', holds: true },
    ]);
    const apart = callLines([call('lead', '2024-02-14T12:10:00Z'), call('majority', '2024-02-14T12:42:10Z', false)]);
    expect(apart.map((l) => [l.key, l.text, l.holds])).toEqual([
      ['lead', 'unggul secara statistik sejak 19.10 WIB (162 TPS sampel)', true],
      ['majority', 'di atas 50% secara statistik sejak 19.42 WIB (162 TPS sampel)', false],
    ]);
    expect(callLines([])).toEqual([]);
  });

  it('keeps one fixed scale, never the leader\'s: 0–100% for PPWP (with its 50% line), 0–50% for the long ballots', () => {
    expect(axisMax({ ballot: 'PPWP' } as QuickCountView)).toBe(1);
    expect(axisMax({ ballot: 'DPRD_KAB' } as QuickCountView)).toBe(0.5);
    expect(onAxis(0.52, 1)).toBeCloseTo(52, 10);
    expect(onAxis(0.7, 0.5)).toBe(100);
    expect(onAxis(-0.01, 1)).toBe(0);
  });

  it('compares with the full count so far', () => {
    expect(fullShares({ totals: { votes: { '01': 30, '02': 70 }, valid: 100 } } as unknown as TallyView)).toEqual(new Map([['01', 0.3], ['02', 0.7]]));
    expect(fullShares({ totals: { votes: {}, valid: 0 } } as unknown as TallyView)).toBeNull();
    expect(fmtDifference(0.5542, 0.55)).toBe('+0,42 poin');
    expect(fmtDifference(0.339, 0.35)).toBe('−1,10 poin');
  });
});
