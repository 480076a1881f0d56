import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { killOnExit } from '../support/child-processes';
import { installedPostgresBin } from '../support/private-postgres';
import { freePort } from '../support/server';
import { sleep, waitUntil } from '../support/reliability';

/**
 * Timing of the test cluster: the leader key lives `ttl` seconds in etcd, each Patroni loop runs
 * every `loop_wait`, a DCS/PostgreSQL call may retry for `retry_timeout` (Patroni wants
 * loop_wait + 2 × retry_timeout ≤ ttl). Patroni's defaults (30/10/10) give a failover of 30–40 s;
 * these give one of a few seconds on one machine whose etcd never stalls. Production across
 * machines: ttl 20–30, loop_wait 5–10, retry_timeout 5–10 — a shorter ttl turns an etcd or network
 * hiccup into a needless failover.
 */
export const TEST_DCS_TIMING = { ttl: 6, loop_wait: 1, retry_timeout: 2 };

export type Role = 'leader' | 'sync_standby' | 'replica';

export interface PatroniMember {
  name: string;
  pgPort: number;
  apiPort: number;
  dataDir: string;
  /** The Patroni process (it runs the node's postgres as its child). */
  process?: ChildProcess;
  output: string;
}

export interface PatroniCluster {
  /** `postgres://…@h1,h2,h3/suara?target_session_attrs=read-write` */
  url: string;
  members: PatroniMember[];
  /** The member in `role` right now per Patroni's REST API (`GET /cluster`). */
  memberIn(role: Role): Promise<PatroniMember | undefined>;
  /** Roles of the running members, by name. */
  roles(): Promise<Record<string, string>>;
  /** SIGKILLs the node: its Patroni (so nothing restarts postgres there) and its postmaster. Returns when the postmaster was killed. */
  killNode(member: PatroniMember): number;
  /** SIGKILLs only the member's postmaster; its Patroni lives on. Returns when it was killed. */
  killPostmaster(member: PatroniMember): number;
  /** Everything Patroni and etcd printed, for a failing test. */
  output(): string;
  destroy(): Promise<void>;
}

/** Fails loudly (never skips) when the cluster's programs are missing: `.ci/run` installs them. */
export function requireHaTools(): { patroni: string; etcd: string; pgBin: string } {
  const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
  const patroni = which('patroni');
  const etcd = which('etcd');
  const missing = [!patroni && 'patroni', !etcd && 'etcd (Debian: etcd-server)'].filter(Boolean);
  if (missing.length > 0) throw new Error(`the HA test needs ${missing.join(' and ')}: apt-get install patroni etcd-server postgresql (as .ci/run does)`);
  return { patroni, etcd, pgBin: process.env.PG_BIN ?? installedPostgresBin() };
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

const PASSWORD = 'Patroni-Uji-Sandi-2024';

/**
 * A one-member etcd and a three-member Patroni cluster with synchronous replication, on free local
 * ports in one temp folder, run as the `postgres` user (initdb and postgres refuse root). The
 * machine's own PostgreSQL is never touched. Resolves once there is a leader and a synchronous
 * standby, with a `suara` database on it.
 */
export async function startPatroniCluster(): Promise<PatroniCluster> {
  // Its eight ports were free a moment before: another test's server may take one first. Once more, on others.
  try {
    return await startPatroniClusterOnce();
  } catch (err) {
    if (!/address already in use/i.test(String(err))) throw err;
    return startPatroniClusterOnce();
  }
}

async function startPatroniClusterOnce(): Promise<PatroniCluster> {
  const tools = requireHaTools();
  const ids = postgresIds();
  const dir = mkdtempSync(join(tmpdir(), 'suara-ha-'));
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const asPostgres = ids ? { uid: ids.uid, gid: ids.gid } : {};
  let etcdOutput = '';
  let etcd: ChildProcess | undefined;
  const members: PatroniMember[] = [];

  const output = () =>
    [`--- etcd\n${etcdOutput.slice(-4000)}`, ...members.map((m) => `--- ${m.name}\n${m.output.slice(-8000)}`)].join('\n');

  const killAll = () => {
    for (const m of members) killMember(m);
    etcd?.kill('SIGKILL');
  };
  // Postmasters are Patroni's children, not ours: a test process that dies must not leave them running.
  process.once('exit', killAll);
  const destroy = async () => {
    process.removeListener('exit', killAll);
    killAll();
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    etcd = spawn(
      tools.etcd,
      [
        '--name', 'e1', '--data-dir', join(dir, 'etcd'),
        '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
        '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-cluster', `e1=http://127.0.0.1:${peerPort}`, '--log-level', 'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...asPostgres },
    );
    killOnExit(etcd);
    etcd.stdout!.on('data', (d) => (etcdOutput += d));
    etcd.stderr!.on('data', (d) => (etcdOutput += d));
    await waitUntil('etcd to answer', async () => ((await fetch(`${etcdUrl}/health`)).ok ? true : undefined), 30_000, 200);

    for (let i = 1; i <= 3; i++) {
      const member: PatroniMember = { name: `pg${i}`, pgPort: await freePort(), apiPort: await freePort(), dataDir: join(dir, `pg${i}`), output: '' };
      const config = patroniConfig(member, dir, clientPort, tools.pgBin);
      const file = join(dir, `${member.name}.yml`);
      writeFileSync(file, stringify(config));
      if (ids) chownSync(file, ids.uid, ids.gid);
      members.push(member);
    }
    // All three start at once: one wins the initialize key and runs initdb, the others clone it.
    for (const m of members) startMember(m, join(dir, `${m.name}.yml`), tools.patroni, dir, asPostgres);

    const cluster: PatroniCluster = {
      url: `postgres://postgres:${PASSWORD}@${members.map((m) => `127.0.0.1:${m.pgPort}`).join(',')}/suara?target_session_attrs=read-write`,
      members,
      async memberIn(role) {
        const roles = await this.roles();
        return members.find((m) => roles[m.name] === role);
      },
      async roles() {
        for (const m of members.filter((x) => x.process)) {
          try {
            const res = await fetch(`http://127.0.0.1:${m.apiPort}/cluster`, { signal: AbortSignal.timeout(2000) });
            const body = (await res.json()) as { members: Array<{ name: string; role: string; state: string }> };
            return Object.fromEntries(body.members.filter((x) => x.state === 'running' || x.state === 'streaming').map((x) => [x.name, x.role]));
          } catch {
            // ask the next member
          }
        }
        return {};
      },
      killNode(member) {
        killMember(member);
        return Date.now();
      },
      killPostmaster(member) {
        const pid = postmasterPid(member);
        if (!pid) throw new Error(`${member.name} has no postmaster.pid`);
        process.kill(pid, 'SIGKILL');
        return Date.now();
      },
      output,
      destroy,
    };

    await waitUntil('a leader and a synchronous standby', async () => {
      const roles = Object.values(await cluster.roles());
      return roles.includes('leader') && roles.includes('sync_standby') && roles.length === 3 ? true : undefined;
    }, 120_000, 500);
    const leader = (await cluster.memberIn('leader'))!;
    const admin = new Client({ connectionString: `postgres://postgres:${PASSWORD}@127.0.0.1:${leader.pgPort}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE suara');
    await admin.end();
    return cluster;
  } catch (err) {
    const why = `${String(err)}\n${output()}`;
    await destroy();
    throw new Error(why);
  }
}

function patroniConfig(m: PatroniMember, dir: string, etcdPort: number, pgBin: string) {
  const address = (port: number) => `127.0.0.1:${port}`;
  return {
    scope: `suara-ha-${dir.slice(-6)}`,
    name: m.name,
    log: { level: 'WARNING' },
    restapi: { listen: address(m.apiPort), connect_address: address(m.apiPort) },
    etcd3: { hosts: address(etcdPort) },
    bootstrap: {
      dcs: {
        ...TEST_DCS_TIMING,
        maximum_lag_on_failover: 1024 * 1024,
        // A commit returns only once a standby has flushed it, and only that standby may be promoted.
        synchronous_mode: true,
        postgresql: {
          use_pg_rewind: true,
          parameters: {
            max_connections: 60, shared_buffers: '32MB', wal_keep_size: '64MB', max_wal_senders: 6, max_replication_slots: 6,
            // The test kills processes, not machines: the page cache survives, so fsync buys nothing here.
            fsync: 'off', full_page_writes: 'on',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { 'auth-local': 'trust' }, { 'auth-host': 'trust' }, 'no-sync'],
    },
    postgresql: {
      listen: address(m.pgPort),
      connect_address: address(m.pgPort),
      data_dir: m.dataDir,
      bin_dir: pgBin,
      pgpass: join(dir, `${m.name}.pgpass`),
      authentication: {
        superuser: { username: 'postgres', password: PASSWORD },
        replication: { username: 'replicator', password: PASSWORD },
        rewind: { username: 'postgres', password: PASSWORD },
      },
      pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust'],
      parameters: { unix_socket_directories: dir },
    },
  };
}

function startMember(m: PatroniMember, configFile: string, patroni: string, dir: string, asPostgres: object): void {
  const child = spawn(patroni, [configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
    ...asPostgres,
  });
  killOnExit(child);
  child.stdout!.on('data', (d) => (m.output += d));
  child.stderr!.on('data', (d) => (m.output += d));
  m.process = child;
}

/** The member's running postmaster: the pid in postmaster.pid, only if that process is still this data folder's postgres (pids are reused). */
function postmasterPid(m: PatroniMember): number | undefined {
  const file = join(m.dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(m.dataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killMember(m: PatroniMember): void {
  m.process?.kill('SIGKILL');
  m.process = undefined;
  const pid = postmasterPid(m);
  if (pid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
