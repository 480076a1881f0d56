import { timingSafeEqual } from 'node:crypto';

/** Whether `token` is the configured METRICS_TOKEN (never true when none is set). Constant time. */
export function isMetricsToken(token: string | undefined, metricsToken: string | undefined): boolean {
  if (!token || !metricsToken) return false;
  const [given, expected] = [Buffer.from(token), Buffer.from(metricsToken)];
  return given.length === expected.length && timingSafeEqual(given, expected);
}
