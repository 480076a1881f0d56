import { parseArgs } from 'node:util';
import { BALLOTS, type Ballot } from '@suara/contracts';
import { EVENING_SECONDS } from './election-day';

/** Everything `npm run simulate` can be told; see `HELP`. */
export interface SimulatorOptions {
  url: string;
  adminUser?: string;
  adminPassword?: string;
  operatorPassword: string;
  /** Simulated seconds per real second; `Infinity` plays without waiting. */
  speed: number;
  ballots: Ballot[];
  mistakes: number;
  /** Share of clean papers whose own "suara sah" is wrong (the KPPS's slip): refused, then sent as written. */
  asWritten: number;
  /** Share of TPS whose operator is unreachable: the verifier enters their forms on their behalf. */
  onBehalf: number;
  concurrency: number;
  verifierBot: boolean;
  /** Share of clean results the verifier bot verifies (flagged ones it always handles). */
  verifyShare: number;
  /** Share of TPS whose operator also sends a photo of each C.Hasil sheet. */
  photos: number;
  seed?: string;
  tpsLimit?: number;
  drawSample?: number;
  tpsPerOperator: number;
  reset: boolean;
  allowReal: boolean;
  json: boolean;
  quiet: boolean;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
}

export type ParsedCommandLine = { help: true } | { help: false; options: SimulatorOptions };

/** Plays the full evening (13:00–19:00) in one real minute. */
export const DEFAULT_SPEED = EVENING_SECONDS / 60;
export const DEFAULT_OPERATOR_PASSWORD = 'simulasi-operator-2024';

export const HELP = `suara election-day simulator — plays election day against a running suara through its public API.

Usage: npm run simulate -- [options]

  --url <url>               server to play against (default http://localhost:3000)
  --admin-user <name>       admin account (default $SUARA_ADMIN_USER)
  --admin-password <pw>     admin password (default $SUARA_ADMIN_PASSWORD)
  --operator-password <pw>  password of the simulator's operator and verifier accounts
                            (default $SUARA_SIM_PASSWORD or "${DEFAULT_OPERATOR_PASSWORD}")
  --speed <factor|max>      simulated seconds per real second (default ${DEFAULT_SPEED}: 13:00–19:00 in 60 s);
                            "max" submits as fast as --concurrency allows
  --ballots <list>          ballots to play, comma separated (default ${BALLOTS.join(',')})
  --mistakes <share>        share of submissions with an operator's mistake (default 0.03): misread
                            digits (7↔1), swapped digits, sums that do not add up (the server must
                            answer 400; the operator then sends the right numbers), votes over DPT
                            or over 300 (the server must accept and flag them)
  --as-written <share>      share of clean papers whose own sum is wrong, as real KPPS slips are
                            (default 0.02): refused with 400, then sent again "sesuai tertulis"
                            (asWritten) and stored flagged inconsistent_as_written
  --on-behalf <share>       share of TPS whose operator is unreachable, so the verifier enters
                            their forms with onBehalf and a reason (default 0.01)
  --concurrency <n>         requests in flight at most (default 16)
  --verifier-bot            a verifier verifies clean results and corrects mistaken ones, with a
                            reason and the operator's confirmation, flagged ones first
  --verify-share <share>    share of clean results the bot verifies (default 1)
  --photos <share>          share of TPS whose operator also sends a generated photo of each C.Hasil
                            sheet, half of them before the numbers (default 0.3; 0 = none)
  --seed <text>             seed of everything generated (default random; printed so a run can be
                            repeated: the same seed re-sends the same requests, same clientRequestIds)
  --tps-limit <n>           play only n TPS, spread over the kabupaten (quick runs)
  --draw-sample <n>         the admin first draws a quick count sample of n TPS (PPWP, or the first
                            ballot played); its estimate is printed at the end
  --tps-per-operator <n>    TPS one operator account covers; large desa get several (default 8)
  --reset                   the admin first wipes the simulation's results (simulation phase only)
  --allow-real              play even when the server is in the real election (never do this on a
                            real deployment: it submits made-up results)
  --timeout <ms>            per-request timeout (default 30000)
  --json                    print the final summary as one JSON line on stdout
  --quiet                   no progress lines
  --help                    this text

Accounts: operators sim-op-<desa code>-<k> (scope: the desa), verifier sim-verifier; an account
that exists already (409) is reused. DPT per TPS is generated (150–300), not real.
Exit code: 0 when the server behaved; 1 when it did not (a submission failed for good, a mistake
was accepted that must be rejected, a clean form was rejected, a tally does not add up, the
verifier met errors) or the run could not start; 2 on bad usage.`;

export class UsageError extends Error {}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedCommandLine {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        'admin-user': { type: 'string' },
        'admin-password': { type: 'string' },
        'operator-password': { type: 'string' },
        speed: { type: 'string' },
        ballots: { type: 'string' },
        mistakes: { type: 'string' },
        'as-written': { type: 'string' },
        'on-behalf': { type: 'string' },
        concurrency: { type: 'string' },
        'verifier-bot': { type: 'boolean' },
        'verify-share': { type: 'string' },
        photos: { type: 'string' },
        seed: { type: 'string' },
        'tps-limit': { type: 'string' },
        'draw-sample': { type: 'string' },
        'tps-per-operator': { type: 'string' },
        reset: { type: 'boolean' },
        'allow-real': { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return { help: true };
  const str = (k: string) => values[k] as string | undefined;
  return {
    help: false,
    options: {
      url: (str('url') ?? 'http://localhost:3000').replace(/\/+$/, ''),
      adminUser: str('admin-user') ?? (env.SUARA_ADMIN_USER || undefined),
      adminPassword: str('admin-password') ?? (env.SUARA_ADMIN_PASSWORD || undefined),
      operatorPassword: str('operator-password') ?? (env.SUARA_SIM_PASSWORD || DEFAULT_OPERATOR_PASSWORD),
      speed: parseSpeed(str('speed')),
      ballots: parseBallots(str('ballots')),
      mistakes: share('--mistakes', str('mistakes'), 0.03),
      asWritten: share('--as-written', str('as-written'), 0.02),
      onBehalf: share('--on-behalf', str('on-behalf'), 0.01),
      concurrency: positiveInt('--concurrency', str('concurrency')) ?? 16,
      verifierBot: values['verifier-bot'] === true,
      verifyShare: share('--verify-share', str('verify-share'), 1),
      photos: share('--photos', str('photos'), 0.3),
      seed: str('seed'),
      tpsLimit: positiveInt('--tps-limit', str('tps-limit')),
      drawSample: positiveInt('--draw-sample', str('draw-sample')),
      tpsPerOperator: positiveInt('--tps-per-operator', str('tps-per-operator')) ?? 8,
      reset: values.reset === true,
      allowReal: values['allow-real'] === true,
      json: values.json === true,
      quiet: values.quiet === true,
      timeoutMs: positiveInt('--timeout', str('timeout')) ?? 30_000,
    },
  };
}

function parseSpeed(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_SPEED;
  if (raw === 'max' || raw === 'Infinity') return Infinity;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--speed must be a positive number or "max", got "${raw}"`);
  return n;
}

function parseBallots(raw: string | undefined): Ballot[] {
  if (raw === undefined) return [...BALLOTS];
  const list = raw.split(',').map((b) => b.trim().toUpperCase()).filter(Boolean);
  const unknown = list.filter((b) => !(BALLOTS as readonly string[]).includes(b));
  if (unknown.length > 0 || list.length === 0) throw new UsageError(`--ballots: unknown ballot(s) ${unknown.join(', ') || '(none given)'}; use ${BALLOTS.join(', ')}`);
  return BALLOTS.filter((b) => list.includes(b));
}

function share(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n >= 0 && n <= 1)) throw new UsageError(`${flag} must be a share between 0 and 1, got "${raw}"`);
  return n;
}

function positiveInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}
