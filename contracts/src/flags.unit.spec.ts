import { describe, expect, it } from 'vitest';
import { FLAG_CODES, FLAG_SEVERITY, flagSeverity, sortFlags } from './flags';

describe('flag severity', () => {
  it('every flag code has a severity and FLAG_CODES is ordered worst first', () => {
    const severities = FLAG_CODES.map((c) => FLAG_SEVERITY[c]);
    expect(severities).toEqual([...severities].sort((a, b) => b - a));
    expect(Object.keys(FLAG_SEVERITY).sort()).toEqual([...FLAG_CODES].sort());
  });

  it('flagSeverity: the worst flag dominates, more flags break ties, none is 0', () => {
    expect(flagSeverity([])).toBe(0);
    const worst = flagSeverity([{ code: 'turnout_over_dpt' }]);
    const many = flagSeverity([{ code: 'high_invalid' }, { code: 'empty_result' }, { code: 'dpt_over_300' }]);
    expect(worst).toBeGreaterThan(many);
    expect(flagSeverity([{ code: 'high_invalid' }, { code: 'dpt_over_300' }])).toBeGreaterThan(flagSeverity([{ code: 'high_invalid' }]));
    expect(flagSeverity([{ code: 'something_new' }])).toBeGreaterThan(0);
  });

  it('sortFlags puts the worst first', () => {
    const flags = [{ code: 'empty_result' }, { code: 'turnout_over_dpt' }, { code: 'near_unanimous' }];
    expect(sortFlags(flags).map((f) => f.code)).toEqual(['turnout_over_dpt', 'near_unanimous', 'empty_result']);
  });
});
