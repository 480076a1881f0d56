/**
 * "tx:pos" → a fixed-width string that sorts like the position ("0" first), so the freshness
 * measure can compare millions of (submission, push) pairs without parsing BigInts each time.
 */
export function positionKey(position: string): string {
  const [tx, pos] = position === '0' ? ['0', '0'] : position.split(':');
  return `${tx.padStart(20, '0')}:${(pos ?? '0').padStart(20, '0')}`;
}
