/** Which measures exist, in the order they run. */
export const MEASURES = ['raw', 'ingest', 'freshness', 'rebuild', 'embedded', 'photos', 'failover'] as const;
export type Measure = (typeof MEASURES)[number];

export interface BenchOptions {
  quick: boolean;
  only: Set<Measure>;
  /** PostgreSQL server (maintenance database) under which fresh databases are created; may name several hosts (a Patroni cluster). */
  postgresUrl: string;
  /** Whether postgresUrl is the local default (the bench may start the local cluster then). */
  defaultPostgres: boolean;
  /** Sizes; `--quick` picks smaller ones. */
  rawSeconds: number;
  ingestSeconds: number;
  ingestConcurrency: number;
  /** Service processes taking the ingest load (the first runs every role, the others only commands). */
  ingestInstances: number;
  ingestWarmupSeconds: number;
  /** Generated TPS for the ingest run: enough that the window does not run out of new streams. */
  ingestTps: number;
  freshnessSeconds: number;
  freshnessRate: number;
  dashboards: number;
  rebuildEvents: number;
  /** Labusel TPS submitted in the embedded run; fewer than all (1,025) only in `--quick`, then extrapolated. */
  embeddedTps: number | undefined;
  /** Photo uploads: seconds measured per store and uploads in flight. */
  photoSeconds: number;
  photoConcurrency: number;
  /** Leaders SIGKILLed, one per round, under a steady load of `failoverRate` submissions/s. */
  failoverRounds: number;
  failoverRate: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--only ${MEASURES.join(',')}] [--rate N] [--dashboards N] [--concurrency N] [--instances N] [--database-url postgres://…]`;

/** Parses the command line (arguments after `npm run bench --`). */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  const number = (flag: string, fallback: number): number => {
    const v = value(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: not a positive number: ${v}\n${USAGE}`);
    return n;
  };
  const known = new Set(['--quick', '--only', '--rate', '--dashboards', '--concurrency', '--instances', '--database-url', '--help']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
  if (argv.includes('--help')) throw new Error(USAGE);
  const onlyList = value('--only')?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of onlyList ?? []) if (!(MEASURES as readonly string[]).includes(m)) throw new Error(`--only: unknown measure "${m}"\n${USAGE}`);
  const postgresUrl = value('--database-url') || env.DATABASE_URL || undefined;
  return {
    quick,
    only: new Set((onlyList ?? MEASURES) as Measure[]),
    postgresUrl: postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    defaultPostgres: postgresUrl === undefined,
    rawSeconds: quick ? 3 : 5,
    ingestSeconds: quick ? 4 : 10,
    ingestConcurrency: number('--concurrency', 128),
    ingestInstances: Math.max(1, Math.floor(number('--instances', 1))),
    ingestWarmupSeconds: quick ? 1 : 2,
    ingestTps: quick ? 20_000 : 60_000,
    freshnessSeconds: quick ? 5 : 15,
    freshnessRate: number('--rate', 1000),
    dashboards: number('--dashboards', 200),
    rebuildEvents: quick ? 10_000 : 200_000,
    embeddedTps: quick ? 205 : undefined,
    photoSeconds: quick ? 5 : 15,
    photoConcurrency: 8,
    failoverRounds: quick ? 2 : 5,
    failoverRate: 50,
  };
}
