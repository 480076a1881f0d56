import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** utime + stime (ticks) and the command name of one process, or undefined if it is gone. */
function processTicks(pid: number): { ticks: number; comm: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), comm };
  } catch {
    return undefined;
  }
}

function postgresTicks(): number {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = processTicks(Number(entry));
    if (p?.comm === 'postgres') sum += p.ticks;
  }
  return sum;
}

export interface CpuShares {
  /** % of one core used by the service's processes together over the measured span. */
  servicePercent: number;
  /** % of one core used by every local `postgres` process together (0 when PostgreSQL is remote). */
  postgresPercent: number;
}

/**
 * Measures where the CPU went from this call until `stop()`: the service process and the local
 * PostgreSQL server. On two cores this tells which side is saturated. Linux only: elsewhere the
 * figures are null.
 */
export function cpuMeter(servicePids: number[]): { stop(): CpuShares | null } {
  const started = performance.now();
  const serviceTicks = () => {
    const each = servicePids.map(processTicks);
    return each.every((p) => p !== undefined) ? each.reduce((sum, p) => sum + p!.ticks, 0) : undefined;
  };
  const service0 = serviceTicks();
  let postgres0: number;
  try {
    postgres0 = postgresTicks();
  } catch {
    return { stop: () => null };
  }
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const service1 = serviceTicks();
      if (service0 === undefined || service1 === undefined) return null;
      const percent = (ticks: number) => (ticks / TICKS_PER_SECOND / seconds) * 100;
      return { servicePercent: percent(service1 - service0), postgresPercent: percent(postgresTicks() - postgres0) };
    },
  };
}

/** CPU this process (the load generator, the dashboards) uses from now until `stop()`, in % of one core. */
export function ownCpuMeter(): { stop(): number } {
  const before = process.cpuUsage();
  const started = performance.now();
  return {
    stop() {
      const used = process.cpuUsage(before);
      return ((used.user + used.system) / 1000 / (performance.now() - started)) * 100;
    },
  };
}
