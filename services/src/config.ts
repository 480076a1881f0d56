import { join, resolve } from 'node:path';

export type ProcessRole = 'command' | 'projector' | 'live';
export const ALL_ROLES: ProcessRole[] = ['command', 'projector', 'live'];

/** Everything a process reads from its environment, parsed once. */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL for events and read models; absent → embedded PGlite under dataDir. */
  databaseUrl?: string;
  /**
   * A PostgreSQL streaming replica (or several hosts, `target_session_attrs=any`) that answers the
   * tally reads (READ_DATABASE_URL) whenever it has caught up with what this process has shown;
   * otherwise, and while it is away, the primary answers. Only with databaseUrl.
   */
  readDatabaseUrl?: string;
  /** KurrentDB/EventStoreDB for events (read models stay in PostgreSQL). */
  eventStoreUrl?: string;
  redisUrl?: string;
  roles: ProcessRole[];
  adminUser?: string;
  adminPassword?: string;
  /** HMAC secret for tokens (SUARA_TOKEN_SECRET); else the file tokenSecretFile, else DATA_DIR/token-secret (generated). Never in the database. */
  tokenSecret?: string;
  tokenSecretFile?: string;
  tokenTtlSeconds: number;
  /** Longest any token may live, whatever its expiry says. */
  tokenMaxLifetimeSeconds: number;
  /** Folder of the election's master data (regions, TPS, paslon, parties, dapils). */
  electionDataDir: string;
  /** Serve the built dashboard from this folder when it exists. */
  dashboardDir: string;
  logLevel: string;
  /** Which proxies may set X-Forwarded-For (Fastify `trustProxy`): false, or addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** Submissions one operator may make per minute (a burst of as many). */
  submitRatePerMinute: number;
  /** Photo uploads one user may make per minute (a burst of as many). */
  photoRatePerMinute: number;
  /** Where photos are kept on disk when no S3 is configured (`BLOB_DIR`, default `DATA_DIR/blobs`). */
  blobDir: string;
  /** S3-compatible object storage for photos (all of `S3_ENDPOINT`, `S3_BUCKET` and the keys set). */
  s3?: S3Config;
  /** Requests one user may make per minute to read (GET), across replicas when Redis is set. */
  readRatePerMinute: number;
  /** Dry runs of the C.Hasil check (`POST /api/results/validate`) one user may make per minute. */
  validateRatePerMinute: number;
  /** Prefix of this deployment's keys in a shared Redis (default derived from its database). */
  redisPrefix?: string;
  /** Token that also shows /health's details (and /metrics) to a monitor without a login. */
  metricsToken?: string;
  /** Ed25519 private key (PKCS#8 PEM) that signs seals; absent → DATA_DIR/seal-key.pem, generated once. */
  sealKeyFile?: string;
  /** Seconds between two seals of the log (when it grew). */
  sealIntervalSeconds: number;
  /** The append-only file every seal is also written to. */
  sealsFile: string;
  /** Seconds an operator has to confirm or dispute a proposed correction. */
  proposalTtlSeconds: number;
}

export interface S3Config {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Path-style URLs (`endpoint/bucket/key`), which MinIO and most S3-compatible servers want. */
  forcePathStyle: boolean;
}

const S3_REQUIRED = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

/** S3 from the environment: all four required variables or none (half a configuration is a mistake, not a fallback to disk). */
function s3Config(env: NodeJS.ProcessEnv): S3Config | undefined {
  const values = S3_REQUIRED.map((name) => env[name] || undefined);
  const region = env.S3_REGION || 'us-east-1';
  const pathStyle = env.S3_FORCE_PATH_STYLE;
  if (values.every((v) => v === undefined)) return undefined;
  const missing = S3_REQUIRED.filter((_, i) => values[i] === undefined);
  if (missing.length > 0) throw new Error(`S3 storage for photos needs ${missing.join(', ')} as well (or none of the S3_* variables for the disk)`);
  const [endpoint, bucket, accessKeyId, secretAccessKey] = values as string[];
  return { endpoint, bucket, accessKeyId, secretAccessKey, region, forcePathStyle: pathStyle === undefined ? true : pathStyle !== 'false' };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const roles = (env.ROLES ?? ALL_ROLES.join(','))
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of roles) {
    if (!ALL_ROLES.includes(r as ProcessRole)) throw new Error(`ROLES: unknown role "${r}" (use ${ALL_ROLES.join(', ')})`);
  }
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const tokenTtlSeconds = positiveNumber(env.SUARA_TOKEN_TTL, 12 * 3600, 'SUARA_TOKEN_TTL');
  const tokenMaxLifetimeSeconds = positiveNumber(env.SUARA_TOKEN_MAX_LIFETIME, 24 * 3600, 'SUARA_TOKEN_MAX_LIFETIME');
  if (tokenTtlSeconds > tokenMaxLifetimeSeconds) {
    throw new Error(`SUARA_TOKEN_TTL (${tokenTtlSeconds} s) is longer than SUARA_TOKEN_MAX_LIFETIME (${tokenMaxLifetimeSeconds} s)`);
  }
  if (env.READ_DATABASE_URL && !env.DATABASE_URL) throw new Error('READ_DATABASE_URL names a replica of DATABASE_URL: set DATABASE_URL too (the embedded database has no replicas)');
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    readDatabaseUrl: env.READ_DATABASE_URL || undefined,
    eventStoreUrl: env.EVENTSTORE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    roles: roles as ProcessRole[],
    adminUser: env.SUARA_ADMIN_USER || undefined,
    adminPassword: env.SUARA_ADMIN_PASSWORD || undefined,
    tokenSecret: env.SUARA_TOKEN_SECRET || undefined,
    tokenSecretFile: env.SUARA_TOKEN_SECRET_FILE ? resolve(env.SUARA_TOKEN_SECRET_FILE) : undefined,
    tokenTtlSeconds,
    tokenMaxLifetimeSeconds,
    electionDataDir: resolve(env.ELECTION_DATA ?? resolve(__dirname, '../election-data/labusel-2024')),
    dashboardDir: resolve(env.DASHBOARD_DIR ?? resolve(__dirname, '../../dashboard/dist')),
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: env.TRUST_PROXY ? env.TRUST_PROXY.split(',').map((s) => s.trim()) : false,
    submitRatePerMinute: Number(env.SUARA_SUBMIT_RATE_PER_MIN ?? 60),
    photoRatePerMinute: Number(env.SUARA_PHOTO_RATE_PER_MIN ?? 30),
    blobDir: resolve(env.BLOB_DIR || join(dataDir, 'blobs')),
    s3: s3Config(env),
    readRatePerMinute: positiveNumber(env.SUARA_READ_RATE_PER_MIN, 600, 'SUARA_READ_RATE_PER_MIN'),
    validateRatePerMinute: positiveNumber(env.SUARA_VALIDATE_RATE_PER_MIN, 120, 'SUARA_VALIDATE_RATE_PER_MIN'),
    redisPrefix: env.SUARA_REDIS_PREFIX || undefined,
    metricsToken: env.METRICS_TOKEN || undefined,
    sealKeyFile: env.SUARA_SEAL_KEY_FILE ? resolve(env.SUARA_SEAL_KEY_FILE) : undefined,
    sealIntervalSeconds: positiveNumber(env.SUARA_SEAL_INTERVAL, 30, 'SUARA_SEAL_INTERVAL'),
    sealsFile: resolve(env.SUARA_SEALS_FILE ?? resolve(env.DATA_DIR ?? './data', 'seals/seals.ndjson')),
    proposalTtlSeconds: positiveNumber(env.SUARA_PROPOSAL_TTL, 12 * 3600, 'SUARA_PROPOSAL_TTL'),
  };
}

function positiveNumber(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`);
  return n;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
