// Kept free of zod so that browser bundles can import it without pulling in the schemas.

/** Compares two opaque positions ("tx:pos", or "0"); negative when a is earlier. */
export function comparePositions(a: string, b: string): number {
  const parse = (p: string) => p.split(':').map((x) => BigInt(x || '0'));
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
