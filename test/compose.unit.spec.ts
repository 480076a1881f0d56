import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';
import { ALL_ROLES, loadConfig, type ProcessRole } from '../services/src/config';
import { parsePostgresHosts } from '../services/src/db/postgres-hosts';
import { toClientConnectionString } from '../services/src/eventstore/kurrentdb.translation';
import { collectRuntimeMetrics, metricsRegistry } from '../services/src/metrics/metrics';

// No Docker engine runs here, so docker-compose.yml is kept honest by checking it against the
// code's own configuration: what loadConfig reads, which roles exist, and what each role needs.

const root = resolve(__dirname, '..');
const composeText = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');

interface DependsOn {
  condition?: string;
  required?: boolean;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, DependsOn>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | number)[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service & { profiles?: string[]; build?: Service['build'] }>;
  volumes?: Record<string, unknown>;
}

/** The secrets an operator supplies; compose must refuse to start without each of them. */
const SECRETS = [
  'POSTGRES_PASSWORD', 'KURRENTDB_ADMIN_PASSWORD', 'KURRENTDB_OPS_PASSWORD', 'SUARA_TOKEN_SECRET', 'SUARA_ADMIN_PASSWORD', 'MINIO_ROOT_PASSWORD', 'SUARA_S3_SECRET',
  'METRICS_TOKEN', 'GRAFANA_ADMIN_PASSWORD',
];
const deployEnv: Record<string, string> = {
  POSTGRES_PASSWORD: 'pg-pass',
  KURRENTDB_ADMIN_PASSWORD: 'kdb-admin-pass',
  KURRENTDB_OPS_PASSWORD: 'kdb-ops-pass',
  SUARA_TOKEN_SECRET: 'a-token-secret-of-at-least-32-characters',
  SUARA_ADMIN_PASSWORD: 'admin-pass',
  MINIO_ROOT_PASSWORD: 'minio-root-pass',
  SUARA_S3_SECRET: 'suara-s3-secret',
  METRICS_TOKEN: 'a-metrics-token-of-at-least-32-characters',
  GRAFANA_ADMIN_PASSWORD: 'grafana-pass',
};

/** Compose's variable substitution: ${X}, ${X:-default}, ${X-default}, ${X:?error}, ${X?error}, $$. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const unsetOrEmpty = value === undefined || (op?.startsWith(':') && value === '');
    if (op?.endsWith('-')) return unsetOrEmpty ? arg! : value!;
    if (op?.endsWith('?') && unsetOrEmpty) throw new Error(`required variable ${name} is missing: ${arg}`);
    return value ?? '';
  });
}

function load(env: Record<string, string>, text = composeText): Compose {
  // Merge keys (<<: *anchor) are YAML 1.1, which compose supports.
  return parse(interpolate(text, env), { merge: true }) as Compose;
}

const compose = load(deployEnv);
const services = compose.services;
const names = Object.keys(services);

function envOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function dependsOn(service: Service): Record<string, DependsOn> {
  const d = service.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, {}])) : d;
}

function buildContext(service: Service): string | undefined {
  return typeof service.build === 'string' ? service.build : service.build?.context;
}

/** suara's own containers: built from this repository. */
const appNames = names.filter((n) => buildContext(services[n]!) !== undefined && resolve(root, buildContext(services[n]!)!) === root);
const rolesOf = (name: string): ProcessRole[] => loadConfig(envOf(services[name]!)).roles;
const withRole = (role: ProcessRole) => appNames.filter((n) => rolesOf(n).includes(role));
const kurrentNodes = names.filter((n) => services[n]!.image?.startsWith('kurrentplatform/kurrentdb:'));

/** Every environment variable loadConfig reads, observed by handing it an environment that records reads. */
function configEnvVars(): Set<string> {
  const read = new Set<string>();
  const recorder = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  loadConfig(recorder);
  return read;
}

function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

function namedVolumes(service: Service): string[] {
  return (service.volumes ?? [])
    .map((v) => (typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '')))
    .filter((source) => source !== '' && !source.startsWith('.') && !source.startsWith('/'));
}

function mountTarget(service: Service, source: string): string | undefined {
  for (const v of service.volumes ?? []) {
    if (typeof v === 'string' && v.split(':')[0] === source) return v.split(':')[1];
    if (typeof v === 'object' && v.source === source) return v.target;
  }
  return undefined;
}

describe('docker-compose.yml: topology', () => {
  it('runs a 3-node KurrentDB cluster, PostgreSQL 16, Redis 7 and a proxy', () => {
    expect(kurrentNodes).toHaveLength(3);
    for (const n of kurrentNodes) expect(envOf(services[n]!).KURRENTDB_CLUSTER_SIZE).toBe('3');
    expect(services.postgres?.image).toMatch(/^postgres:16(\.|-|$)/);
    expect(services.redis?.image).toMatch(/^redis:7(\.|-|$)/);
    expect(services.proxy?.image).toMatch(/^nginx:/);
  });

  it('runs every role twice, each replica with an explicit ROLES', () => {
    for (const role of ALL_ROLES) expect(withRole(role).length, role).toBeGreaterThanOrEqual(2);
    for (const n of appNames) expect(envOf(services[n]!).ROLES, n).toBeTruthy();
  });

  it('gives every service an image or a build', () => {
    for (const n of names) expect(services[n]!.image ?? services[n]!.build, n).toBeTruthy();
  });

  it('builds suara from the Dockerfile at the root: npm ci, npm run build, node services/dist/main.js', () => {
    const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:(22|24)-bookworm-slim/m);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "services\/dist\/main\.js"\]/);
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain('services/scripts/build-changed.mjs');
    expect(readFileSync(resolve(root, 'services/scripts/build-changed.mjs'), 'utf8')).toMatch(/^  services: /m);
    for (const n of appNames) {
      const build = services[n]!.build;
      const dockerfileName = typeof build === 'object' ? (build.dockerfile ?? 'Dockerfile') : 'Dockerfile';
      expect(existsSync(resolve(root, buildContext(services[n]!)!, dockerfileName)), n).toBe(true);
      expect(services[n]!.command, `${n} must run the image's CMD`).toBeUndefined();
    }
  });
});

describe('docker-compose.yml: environment against services/src/config.ts', () => {
  const known = configEnvVars();

  it('finds the variables loadConfig reads', () => {
    for (const v of ['DATABASE_URL', 'EVENTSTORE_URL', 'REDIS_URL', 'ROLES', 'PORT', 'SUARA_TOKEN_SECRET', 'SUARA_ADMIN_USER', 'SUARA_ADMIN_PASSWORD']) {
      expect(known.has(v), v).toBe(true);
    }
  });

  it('sets on suara containers only variables the code reads', () => {
    for (const n of appNames) {
      const unknown = Object.keys(envOf(services[n]!)).filter((k) => !known.has(k));
      expect(unknown, n).toEqual([]);
    }
  });

  it('gives every role what it needs, and every container a config loadConfig accepts', () => {
    const needs: Record<ProcessRole, string[]> = {
      command: ['DATABASE_URL', 'EVENTSTORE_URL', 'SUARA_TOKEN_SECRET'],
      projector: ['DATABASE_URL', 'EVENTSTORE_URL', 'REDIS_URL', 'SUARA_TOKEN_SECRET'],
      live: ['DATABASE_URL', 'REDIS_URL', 'SUARA_TOKEN_SECRET'],
    };
    for (const n of appNames) {
      const env = envOf(services[n]!);
      const config = loadConfig(env);
      for (const role of config.roles) for (const v of needs[role]) expect(env[v], `${n} (${role}) needs ${v}`).toBeTruthy();
      expect(config.databaseUrl, n).toBeDefined();
      expect(config.port, n).toBeGreaterThan(0);
    }
    expect(withRole('command').every((n) => envOf(services[n]!).SUARA_ADMIN_PASSWORD)).toBe(true);
  });

  it('shares one token secret, one database, one event store and one Redis across all replicas', () => {
    for (const v of ['SUARA_TOKEN_SECRET', 'DATABASE_URL', 'EVENTSTORE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      const values = new Set(appNames.map((n) => envOf(services[n]!)[v]).filter((x) => x !== undefined));
      expect(values.size, v).toBe(1);
    }
    // Every process answers /health with the event store's head, so even live uses the same store.
    for (const n of appNames) expect(envOf(services[n]!).EVENTSTORE_URL, n).toBeTruthy();
  });

  it('points DATABASE_URL at the postgres service with its own user, password and database', () => {
    const pg = envOf(services.postgres!);
    for (const n of appNames) {
      const url = new URL(envOf(services[n]!).DATABASE_URL!);
      expect(url.protocol).toBe('postgres:');
      expect(url.hostname).toBe('postgres');
      expect(url.port).toBe('5432');
      expect(url.username).toBe(pg.POSTGRES_USER);
      expect(url.password).toBe(pg.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    }
  });

  it('points REDIS_URL at the redis service', () => {
    for (const n of appNames) {
      const url = new URL(envOf(services[n]!).REDIS_URL!);
      expect([url.protocol, url.hostname, url.port || '6379']).toEqual(['redis:', 'redis', '6379']);
    }
  });

  it('gives EVENTSTORE_URL every cluster node, the admin credentials and a CA file the container mounts', () => {
    for (const n of appNames) {
      const parsed = parseConnectionString(toClientConnectionString(envOf(services[n]!).EVENTSTORE_URL!));
      expect(parsed.hosts.map((h) => h.address).sort()).toEqual([...kurrentNodes].sort());
      for (const h of parsed.hosts) expect(String(h.port)).toBe(envOf(services[h.address]!).KURRENTDB_NODE_PORT);
      expect(parsed.defaultCredentials).toEqual({ username: 'admin', password: envOf(services[kurrentNodes[0]!]!).KURRENTDB_DEFAULT_ADMIN_PASSWORD });
      expect(parsed.tls).toBe(true);
      const certsAt = mountTarget(services[n]!, 'kurrentdb-certs');
      expect(certsAt, `${n} mounts the KurrentDB CA`).toBeDefined();
      expect(parsed.tlsCAFile).toBe(`${certsAt}/ca/ca.crt`);
    }
  });

  it('refuses to start without any secret, and has no default for one', () => {
    for (const secret of SECRETS) {
      const { [secret]: _omitted, ...rest } = deployEnv;
      expect(() => load(rest), secret).toThrow(new RegExp(`required variable ${secret}`));
      expect(composeText).not.toMatch(new RegExp(`\\$\\{${secret}:?-`));
    }
  });
});

describe('docker-compose.yml: photos of the C.Hasil in MinIO', () => {
  const minio = services.minio!;
  const setup = services['minio-setup']!;
  const script = [setup.command].flat().join('\n');
  const bucket = /mc mb --ignore-existing local\/([a-z0-9.-]+)/.exec(script)?.[1];
  const user = /mc admin user add local (\S+) "\$SUARA_S3_SECRET"/.exec(script)?.[1];

  it('runs MinIO with its data on a named volume, health-checked, and a one-shot that makes the bucket and suara\'s key', () => {
    expect(minio.image).toMatch(/^minio\/minio:RELEASE\./);
    expect([minio.command].flat().join(' ')).toMatch(/^server \/data/);
    expect(mountTarget(minio, 'minio-data')).toBe('/data');
    expect(healthcheckCommand(minio)).toContain('mc ready local');
    expect(setup.image).toMatch(/^minio\/mc:RELEASE\./);
    expect(setup.restart).toBe('no');
    expect(dependsOn(setup).minio?.condition).toBe('service_healthy');
    expect(bucket).toBe('suara-photos');
    expect(user).toBe('suara');
    // The admin alias uses MinIO's own root account and password.
    expect(script).toContain(`mc alias set local http://minio:9000 ${envOf(minio).MINIO_ROOT_USER} "$MINIO_ROOT_PASSWORD"`);
    expect(envOf(setup).MINIO_ROOT_PASSWORD).toBe(envOf(minio).MINIO_ROOT_PASSWORD);
  });

  it('lets suara\'s key read and write the photos bucket and nothing else', () => {
    const policy = JSON.parse(/printf '%s' '(\{.*\})'/.exec(script)![1]!) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
    const resources = policy.Statement.flatMap((s) => s.Resource);
    expect(resources.sort()).toEqual([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
    const actions = policy.Statement.flatMap((s) => s.Action);
    for (const needed of ['s3:GetObject', 's3:PutObject', 's3:ListBucket']) expect(actions).toContain(needed);
    expect(actions.some((a) => a === 's3:*' || a.startsWith('admin:') || a === 's3:DeleteObject')).toBe(false);
    expect(script).toMatch(/mc admin policy attach local suara-photos --user suara/);
  });

  it('points every suara container at MinIO with that bucket and key (S3_*, as loadConfig reads them)', () => {
    for (const n of appNames) {
      const config = loadConfig(envOf(services[n]!));
      expect(config.s3, n).toBeDefined();
      const endpoint = new URL(config.s3!.endpoint);
      expect([endpoint.protocol, endpoint.hostname, endpoint.port], n).toEqual(['http:', 'minio', '9000']);
      expect(config.s3, n).toMatchObject({ bucket, accessKeyId: user, secretAccessKey: envOf(setup).SUARA_S3_SECRET, forcePathStyle: true });
      expect(dependsOn(services[n]!)['minio-setup']?.condition, n).toBe('service_completed_successfully');
      expect(dependsOn(services[n]!).minio?.condition, n).toBe('service_healthy');
    }
  });

  it('lets a 15 MB photo through the proxy to the application, streamed', () => {
    const conf = readFileSync(resolve(root, 'deploy/nginx.conf'), 'utf8').replace(/#[^\n]*/g, '');
    const api = /location\s+\/api\/\s*\{([^}]*)\}/.exec(conf)![1]!;
    const size = /client_max_body_size\s+(\d+)m;/.exec(api);
    expect(Number(size?.[1])).toBeGreaterThanOrEqual(16);
    expect(api).toMatch(/proxy_request_buffering\s+off;/);
  });
});

describe('docker-compose.yml: KurrentDB cluster', () => {
  const certGen = services['kurrentdb-certs']!;
  const script = [certGen.command].flat().join('\n');

  it('seeds each node’s gossip with the other nodes and advertises it by service name', () => {
    for (const n of kurrentNodes) {
      const env = envOf(services[n]!);
      const seeds = env.KURRENTDB_GOSSIP_SEED!.split(',').map((s) => s.split(':')[0]);
      expect(seeds.sort(), n).toEqual(kurrentNodes.filter((m) => m !== n).sort());
      expect(env.KURRENTDB_ADVERTISE_HOST_TO_CLIENT_AS).toBe(n);
      expect(env.KURRENTDB_NODE_HOST_ADVERTISE_AS).toBe(n);
      expect(env.KURRENTDB_REPLICATION_HOST_ADVERTISE_AS).toBe(n);
      expect(env.KURRENTDB_INSECURE ?? 'false').toBe('false');
    }
  });

  it('gives each node a certificate the one-shot generator makes for its service name', () => {
    const loop = /for n in ([\d ]+); do/.exec(script);
    expect(loop).not.toBeNull();
    const indexes = loop![1]!.trim().split(/\s+/);
    expect(script).toContain('-dns-names kurrentdb-$n');
    for (const n of kurrentNodes) {
      const index = /^kurrentdb-(\d+)$/.exec(n)![1]!;
      expect(indexes).toContain(index);
      const env = envOf(services[n]!);
      const certsAt = mountTarget(services[n]!, 'kurrentdb-certs');
      expect(env.KURRENTDB_CERTIFICATE_FILE).toBe(`${certsAt}/node${index}/node.crt`);
      expect(env.KURRENTDB_CERTIFICATE_PRIVATE_KEY_FILE).toBe(`${certsAt}/node${index}/node.key`);
      expect(env.KURRENTDB_TRUSTED_ROOT_CERTIFICATES_PATH).toBe(`${certsAt}/ca`);
    }
    expect(mountTarget(certGen, 'kurrentdb-certs')).toBe('/certs');
    expect(script).toContain('create-ca -out ./ca');
  });

  it('keeps each node’s data on its own volume', () => {
    const dataVolumes = kurrentNodes.map((n) => {
      const v = (services[n]!.volumes ?? []).find((x) => typeof x === 'string' && x.endsWith(':/var/lib/kurrentdb'));
      expect(v, n).toBeDefined();
      return (v as string).split(':')[0];
    });
    expect(new Set(dataVolumes).size).toBe(kurrentNodes.length);
  });
});

describe('docker-compose.yml: dependencies, health and volumes', () => {
  it('depends only on services that exist, waiting for health or for a one-shot to finish', () => {
    for (const n of names) {
      for (const [dep, spec] of Object.entries(dependsOn(services[n]!))) {
        const target = services[dep];
        expect(target, `${n} depends on unknown ${dep}`).toBeDefined();
        expect(['service_healthy', 'service_completed_successfully'], `${n} → ${dep}`).toContain(spec.condition);
        if (spec.condition === 'service_healthy') expect(target!.healthcheck?.test, `${dep} needs a healthcheck`).toBeDefined();
        if (spec.condition === 'service_completed_successfully') expect(target!.restart ?? 'no', `${dep} must be a one-shot`).toBe('no');
      }
    }
  });

  it('starts suara only once PostgreSQL, Redis and every KurrentDB node are healthy', () => {
    for (const n of appNames) {
      const deps = dependsOn(services[n]!);
      for (const dep of ['postgres', 'redis', ...kurrentNodes]) expect(deps[dep]?.condition, `${n} → ${dep}`).toBe('service_healthy');
    }
  });

  it('health-checks every long-running service; suara by GET /health on its PORT', () => {
    for (const n of names.filter((x) => (services[x]!.restart ?? 'no') !== 'no')) {
      expect(services[n]!.healthcheck?.test, n).toBeDefined();
      expect(services[n]!.healthcheck?.disable, n).not.toBe(true);
    }
    for (const n of appNames) {
      const check = healthcheckCommand(services[n]!);
      expect(check).toContain('/health');
      expect(check).toContain('process.env.PORT');
    }
  });

  it('declares every named volume it mounts and keeps PostgreSQL’s data on one', () => {
    for (const n of names) for (const v of namedVolumes(services[n]!)) expect(compose.volumes, `${n} mounts ${v}`).toHaveProperty(v);
    expect(mountTarget(services.postgres!, 'postgres-data')).toBe('/var/lib/postgresql/data');
  });
});

describe('deploy/nginx.conf against the compose services', () => {
  const proxy = services.proxy!;
  const mount = (proxy.volumes ?? []).find((v) => typeof v === 'string' && v.includes('/etc/nginx/nginx.conf')) as string;
  const confPath = resolve(root, mount.split(':')[0]!);
  const conf = readFileSync(confPath, 'utf8').replace(/#[^\n]*/g, '');

  const upstreams = new Map<string, { servers: { host: string; port: string }[]; body: string }>();
  for (const m of conf.matchAll(/upstream\s+(\S+)\s*\{([^}]*)\}/g)) {
    const servers = [...m[2]!.matchAll(/^\s*server\s+([^\s:;]+):(\d+)/gm)].map((s) => ({ host: s[1]!, port: s[2]! }));
    upstreams.set(m[1]!, { servers, body: m[2]! });
  }
  const locations = new Map<string, string>();
  for (const m of conf.matchAll(/location\s+(?:=\s+)?(\S+)\s*\{([^}]*)\}/g)) locations.set(m[1]!, m[2]!);
  const upstreamOf = (path: string) => /proxy_pass\s+http:\/\/([^;/\s]+)/.exec(locations.get(path) ?? '')?.[1];

  it('is mounted from the repository', () => {
    expect(mount.startsWith('./deploy/')).toBe(true);
    expect(existsSync(confPath)).toBe(true);
  });

  it('proxies only to suara services, on the port each one listens on', () => {
    expect(upstreams.size).toBeGreaterThanOrEqual(2);
    for (const [name, { servers }] of upstreams) {
      expect(servers.length, name).toBeGreaterThan(0);
      for (const { host, port } of servers) {
        expect(appNames, `${name} → ${host}`).toContain(host);
        expect(port, `${name} → ${host}`).toBe(String(loadConfig(envOf(services[host]!)).port));
      }
    }
    for (const [path, body] of locations) {
      const target = /proxy_pass\s+http:\/\/([^;/\s]+)/.exec(body)?.[1];
      if (target) expect(upstreams.has(target), `${path} → ${target}`).toBe(true);
    }
  });

  it('sends socket.io to every live replica, sticky, with the WebSocket upgrade', () => {
    const live = upstreams.get(upstreamOf('/socket.io/')!)!;
    expect(live.servers.map((s) => s.host).sort()).toEqual(withRole('live').sort());
    expect(live.body).toMatch(/^\s*ip_hash;/m);
    const body = locations.get('/socket.io/')!;
    expect(body).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(body).toMatch(/proxy_set_header\s+Connection\s+\$connection_upgrade;/);
    expect(conf).toMatch(/map\s+\$http_upgrade\s+\$connection_upgrade/);
    expect(conf).toMatch(/proxy_http_version\s+1\.1;/);
  });

  it('sends /api, /health and the dashboard to every command replica', () => {
    for (const path of ['/api/', '/health', '/']) {
      const upstream = upstreams.get(upstreamOf(path)!);
      expect(upstream, path).toBeDefined();
      expect(upstream!.servers.map((s) => s.host).sort(), path).toEqual(withRole('command').sort());
    }
  });

  it('keeps the forwarding headers in every proxied location (nginx drops inherited ones when a location sets its own)', () => {
    for (const [path, body] of locations) {
      if (!/proxy_pass/.test(body)) continue;
      for (const header of ['Host', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Request-Id']) {
        expect(body, `${path} sets ${header}`).toMatch(new RegExp(`proxy_set_header\\s+${header}\\s`));
      }
    }
  });

  it('starts after every upstream replica is healthy, publishes the port it listens on and checks its own health', () => {
    const deps = dependsOn(proxy);
    for (const { servers } of upstreams.values()) for (const { host } of servers) expect(deps[host]?.condition, host).toBe('service_healthy');
    const listen = /listen\s+(\d+);/.exec(conf)![1]!;
    expect((proxy.ports ?? []).map(String).some((p) => p.endsWith(`:${listen}`))).toBe(true);
    const healthPath = /https?:\/\/127\.0\.0\.1(\/\S*)/.exec(healthcheckCommand(proxy))?.[1];
    expect(locations.has(healthPath!), `proxy healthcheck ${healthPath}`).toBe(true);
  });
});

describe('docker-compose.yml: trust (issue 17)', () => {
  const raw = parse(composeText) as {
    services: Record<string, Service & { networks?: Record<string, { ipv4_address?: string }>; secrets?: string[] }>;
    secrets?: Record<string, { file: string }>;
    networks?: { default?: { ipam?: { config?: { subnet: string }[] } } };
  };

  it('trusts X-Forwarded-For from its nginx alone, at a fixed address inside the compose subnet', () => {
    const proxyAddress = raw.services.proxy?.networks?.default?.ipv4_address;
    expect(proxyAddress).toBeDefined();
    expect(raw.networks?.default?.ipam?.config?.[0]?.subnet).toBe('172.30.0.0/24');
    expect(proxyAddress!.startsWith('172.30.0.')).toBe(true);
    for (const n of appNames) expect(loadConfig(envOf(services[n]!)).trustProxy, n).toEqual([proxyAddress]);
  });

  it('gives every suara process the one seal key (a secret file) and the projectors one shared seals volume', () => {
    expect(raw.secrets?.seal_key?.file).toBe('./deploy/secrets/seal-key.pem');
    for (const n of appNames) {
      expect((services[n] as { secrets?: string[] }).secrets, n).toContain('seal_key');
      const config = loadConfig(envOf(services[n]!));
      expect(config.sealKeyFile, n).toBe('/run/secrets/seal_key');
      expect(mountTarget(services[n]!, 'seals'), n).toBe('/var/lib/suara/seals');
      expect(config.sealsFile.startsWith('/var/lib/suara/seals/'), n).toBe(true);
    }
  });
});

describe('docker-compose.yml: Prometheus and Grafana (issue 18)', () => {
  const raw = parse(composeText) as { secrets?: Record<string, { file?: string; environment?: string }> };
  const prometheus = services.prometheus!;
  const grafana = services.grafana!;
  const bindSource = (service: Service, target: string) => {
    const v = (service.volumes ?? []).find((x) => typeof x === 'string' && x.split(':')[1] === target) as string | undefined;
    return v ? resolve(root, v.split(':')[0]!) : undefined;
  };
  const promConfigPath = bindSource(prometheus, '/etc/prometheus/prometheus.yml')!;
  const promConfig = parse(readFileSync(promConfigPath, 'utf8')) as {
    scrape_configs: { job_name: string; metrics_path?: string; authorization?: { type?: string; credentials_file?: string }; static_configs: { targets: string[]; labels?: { role?: string } }[] }[];
  };
  const provisioning = bindSource(grafana, '/etc/grafana/provisioning')!;
  const datasources = parse(readFileSync(resolve(provisioning, 'datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string; url: string }[] };
  const providers = parse(readFileSync(resolve(provisioning, 'dashboards/suara.yml'), 'utf8')) as { providers: { options: { path: string } }[] };

  it('scrapes /metrics of every suara replica on its port, with METRICS_TOKEN from a compose secret', () => {
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d/);
    const job = promConfig.scrape_configs.find((j) => j.job_name === 'suara')!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = job.static_configs.flatMap((c) => c.targets.map((t) => ({ target: t, role: c.labels?.role })));
    expect(targets.map((t) => t.target.split(':')[0]).sort()).toEqual([...appNames].sort());
    for (const { target, role } of targets) {
      const [host, port] = target.split(':');
      const config = loadConfig(envOf(services[host!]!));
      expect(port, target).toBe(String(config.port));
      expect(config.roles, target).toEqual([role]);
      // The token Prometheus shows is the one every replica checks.
      expect(config.metricsToken, target).toBe(deployEnv.METRICS_TOKEN);
    }
    expect(job.authorization?.type ?? 'Bearer').toBe('Bearer');
    expect(job.authorization?.credentials_file).toBe('/run/secrets/metrics_token');
    expect((prometheus as { secrets?: string[] }).secrets).toContain('metrics_token');
    expect(raw.secrets?.metrics_token?.environment).toBe('METRICS_TOKEN');
    expect(readFileSync(promConfigPath, 'utf8')).not.toContain(deployEnv.METRICS_TOKEN);
    expect(mountTarget(prometheus, 'prometheus-data')).toBe('/prometheus');
    expect([prometheus.command].flat()).toContain('--storage.tsdb.path=/prometheus');
  });

  it('provisions Grafana with that Prometheus and the dashboard folder it mounts, published on localhost only', () => {
    expect(grafana.image).toMatch(/^grafana\/grafana:\d/);
    const ds = datasources.datasources[0]!;
    expect(ds.type).toBe('prometheus');
    const url = new URL(ds.url);
    expect(url.hostname).toBe('prometheus');
    expect(services[url.hostname]).toBeDefined();
    expect(healthcheckCommand(prometheus)).toContain(`:${url.port}/`);
    expect(providers.providers.map((p) => p.options.path)).toContain('/var/lib/grafana/dashboards');
    expect(bindSource(grafana, '/var/lib/grafana/dashboards')).toBe(resolve(root, 'deploy/grafana/dashboards'));
    expect(dependsOn(grafana).prometheus?.condition).toBe('service_healthy');
    expect((grafana.ports ?? []).map(String).every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    expect(envOf(grafana).GF_SECURITY_ADMIN_PASSWORD).toBe(deployEnv.GRAFANA_ADMIN_PASSWORD);
  });

  it("draws the dashboard from that datasource and only from metrics suara exports", async () => {
    const dashboard = JSON.parse(readFileSync(resolve(root, 'deploy/grafana/dashboards/suara.json'), 'utf8')) as {
      uid: string; panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
    };
    collectRuntimeMetrics();
    const exported = new Set((await metricsRegistry.getMetricsAsJSON()).flatMap((m) => {
      const histogram = String(m.type) === 'histogram';
      return histogram ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
    }));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe(datasources.datasources[0]!.uid);
      for (const target of panel.targets) {
        expect(target.datasource.uid, panel.title).toBe(datasources.datasources[0]!.uid);
        for (const name of target.expr.match(/\b(?:suara|process|nodejs)_[a-z0-9_]+/g) ?? []) {
          used.add(name);
          expect(exported.has(name), `${panel.title}: ${name}`).toBe(true);
        }
      }
    }
    // Every suara metric is on the dashboard.
    for (const name of exported) {
      if (name.startsWith('suara_') && !name.endsWith('_sum') && !name.endsWith('_count')) {
        const base = name.replace(/_bucket$/, '');
        expect([...used].some((u) => u === name || u.startsWith(base)), name).toBe(true);
      }
    }
  });
});

describe('docker-compose.patroni.yml: PostgreSQL only, highly available under Patroni', () => {
  const overrideText = readFileSync(resolve(root, 'docker-compose.patroni.yml'), 'utf8');
  const patroniEnv = { ...deployEnv, PATRONI_REPLICATION_PASSWORD: 'replication-pass' };
  const base = load(patroniEnv);
  const override = load(patroniEnv, overrideText);

  /**
   * `docker compose -f docker-compose.yml -f docker-compose.patroni.yml`: mappings merge key by key,
   * the later file winning. (Compose merges some sequences specially; the override sets no sequence
   * a base service already has, which the first test checks, so this is exact here.)
   */
  function merge(a: unknown, b: unknown): unknown {
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
      return out;
    }
    return b;
  }
  const merged = merge(base, override) as Compose;
  const enabled = (n: string) => (merged.services[n]!.profiles ?? []).length === 0;
  const running = Object.keys(merged.services).filter(enabled);
  const members = running.filter((n) => buildContext(merged.services[n]!) === './deploy/patroni');
  const etcds = running.filter((n) => merged.services[n]!.image?.startsWith('quay.io/coreos/etcd:'));
  const apps = appNames;
  const patroniYml = parse(readFileSync(resolve(root, 'deploy/patroni/patroni.yml'), 'utf8')) as {
    etcd3: { hosts: string };
    bootstrap: { dcs: { ttl: number; loop_wait: number; retry_timeout: number; synchronous_mode: boolean }; post_bootstrap: string };
    postgresql: { listen: string; bin_dir: string };
  };

  it('only adds to docker-compose.yml: new services, profiles, environment and dependencies', () => {
    for (const [n, svc] of Object.entries(override.services)) {
      if (!(n in base.services)) continue;
      for (const [k, v] of Object.entries(svc)) if (Array.isArray(v)) expect(k in base.services[n]!, `${n}.${k} would replace a list`).toBe(false);
    }
  });

  it('leaves KurrentDB and the single PostgreSQL out, and runs etcd ×3 and Patroni ×3 instead', () => {
    for (const n of [...kurrentNodes, 'kurrentdb-certs', 'postgres']) expect(enabled(n), n).toBe(false);
    expect(etcds).toHaveLength(3);
    expect(members).toHaveLength(3);
    expect(patroniYml.etcd3.hosts.split(',').map((h) => h.split(':')[0]).sort()).toEqual([...etcds].sort());
    for (const n of etcds) {
      const cluster = envOf(merged.services[n]!).ETCD_INITIAL_CLUSTER!.split(',').map((kv) => kv.split('=')[0]);
      expect(cluster.sort(), n).toEqual([...etcds].sort());
      expect(envOf(merged.services[n]!).ETCD_NAME).toBe(n);
    }
    for (const n of members) {
      const env = envOf(merged.services[n]!);
      expect(env.PATRONI_NAME).toBe(n);
      expect(env.PATRONI_POSTGRESQL_CONNECT_ADDRESS).toBe(`${n}:5432`);
      expect(healthcheckCommand(merged.services[n]!)).toContain(':8008/health');
      expect(namedVolumes(merged.services[n]!)).toHaveLength(1);
    }
    expect(new Set(members.flatMap((n) => namedVolumes(merged.services[n]!))).size).toBe(3);
    for (const n of running) for (const v of namedVolumes(merged.services[n]!)) expect(merged.volumes, `${n} mounts ${v}`).toHaveProperty(v);
  });

  it('builds the members from Debian\'s Patroni on PostgreSQL 16, with synchronous replication and sane timing', () => {
    const dockerfile = readFileSync(resolve(root, 'deploy/patroni/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM postgres:16/m);
    expect(dockerfile).toMatch(/apt-get install .*patroni/);
    expect(patroniYml.postgresql.bin_dir).toBe('/usr/lib/postgresql/16/bin');
    const dcs = patroniYml.bootstrap.dcs;
    expect(dcs.synchronous_mode).toBe(true);
    // Patroni's rule: loop_wait + 2 × retry_timeout ≤ ttl.
    expect(dcs.loop_wait + 2 * dcs.retry_timeout).toBeLessThanOrEqual(dcs.ttl);
    expect(existsSync(resolve(root, 'deploy/patroni', patroniYml.bootstrap.post_bootstrap.split('/').pop()!))).toBe(true);
  });

  it('gives every suara process the three members as DATABASE_URL, read-write, and no event store but PostgreSQL', () => {
    for (const n of apps) {
      const env = envOf(merged.services[n]!);
      const config = loadConfig(env);
      expect(config.eventStoreUrl, n).toBeUndefined();
      const hosts = parsePostgresHosts(config.databaseUrl!);
      expect(hosts.target).toBe('read-write');
      expect(hosts.urls.map((u) => new URL(u).host).sort()).toEqual(members.map((m) => `${m}:5432`).sort());
      for (const u of hosts.urls) expect([new URL(u).username, new URL(u).password, new URL(u).pathname]).toEqual(['suara', deployEnv.POSTGRES_PASSWORD, '/suara']);
    }
  });

  it('starts suara once every member is healthy, and depends on nothing left out unless not required', () => {
    for (const n of running) {
      for (const [dep, spec] of Object.entries(dependsOn(merged.services[n]!))) {
        expect(merged.services[dep], `${n} depends on unknown ${dep}`).toBeDefined();
        if (!enabled(dep)) expect(spec.required, `${n} → ${dep} is left out`).toBe(false);
        if (spec.condition === 'service_healthy') expect(merged.services[dep]!.healthcheck?.test, `${dep} needs a healthcheck`).toBeDefined();
      }
    }
    for (const n of apps) for (const m of members) expect(dependsOn(merged.services[n]!)[m]?.condition, `${n} → ${m}`).toBe('service_healthy');
    for (const n of members) for (const e of etcds) expect(dependsOn(merged.services[n]!)[e]?.condition, `${n} → ${e}`).toBe('service_healthy');
  });

  it('refuses to start without the replication password', () => {
    const { PATRONI_REPLICATION_PASSWORD: _omitted, ...rest } = patroniEnv;
    expect(() => load(rest, overrideText)).toThrow(/required variable PATRONI_REPLICATION_PASSWORD/);
  });
});
