import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toCsv } from '@suara/contracts';
import { loadConfig, type AppConfig } from './config';
import { openDatabase } from './db/database';
import { migrate } from './db/migration';
import { allMigrations } from './app.migrations';
import type { SqlDatabase } from './db/sql';
import { createEventStore } from './eventstore/event-store.factory';
import type { EventStore } from './eventstore/event-store.port';
import { exportEvents, importEvents } from './ops/backup';
import { describeBlobStore, openBlobStore } from './evidence/blob-store.factory';
import type { BlobStore } from './evidence/blob-store.port';

const USAGE = `suara — operations commands (npm run suara -- <command>)

  users import <file.csv>   create operator accounts from a CSV: username,desa_code[,password]
  election import <folder>  load a master-data folder (README, "Master data") as a new version; every bad
                            line is listed (exit 1, nothing loaded). Simulation: a fresh run starts on the
                            new version. Real phase: refused once results exist (exit 1).
  rebuild                   rebuild every read model from event position zero
  check                     recompute every tally from the events and compare (exit 1 on a difference)
  verify-chain [--seals <file-or-url>] [--public-key <key>]...
                            walk every stream's hash chain and check the log against the signed seals
                            (exit 1 if an event was altered, moved, deleted or inserted into sealed history).
                            Seals: the append-only seals file (DATA_DIR/seals/seals.ndjson), a copy of it,
                            or a URL (GET /api/seals/export, with --token); default: the database's seals.
                            Key: raw base64 or a PEM file; default: this deployment's seal key file.
                            It also checks every photo the events name exists and matches its SHA-256
                            (exit 1 if a photo is missing or altered).
  export <file.ndjson>      write the whole event log, one event per line, and the photos it names
                            into <file.ndjson>.blobs/ (backup)
  import <file.ndjson>      load a backup (with its .blobs/ folder) into an empty deployment, then
                            rebuild the read models

Uses the same environment as the server (DATABASE_URL, DATA_DIR, EVENTSTORE_URL, BLOB_DIR, S3_*). With the embedded
database (PGlite), stop the server first: only one process can open its data folder.`;

interface Context {
  config: AppConfig;
  db: SqlDatabase;
  store: EventStore;
  /** The photo store, opened on first use (S3 is not contacted by commands that do not need it). */
  blobs(): Promise<BlobStore>;
}

type Command = (args: string[], ctx: Context) => Promise<number>;

const commands: Record<string, Command> = {
  async users([sub, file], { db }) {
    if (sub !== 'import' || !file) return usage();
    const { importOperators } = await import('./identity/operators-import');
    const report = await importOperators(db, readFileSync(file, 'utf8'), {});
    for (const s of report.skipped) console.error(`line ${s.line}: ${s.reason}`);
    if (report.created.length) {
      // Opened in a spreadsheet: a password such as "=HYPERLINK(…)" must stay text (contracts/csv.ts).
      process.stdout.write(toCsv([['username', 'desa_code', 'password'], ...report.created.map((c) => [c.username, c.desaCode, c.password])], ',', false));
    }
    console.error(`${report.created.length} operator(s) created, ${report.skipped.length} line(s) refused`);
    return report.skipped.length ? 1 : 0;
  },
  async election([sub, folder], { db }) {
    if (sub !== 'import' || !folder) return usage();
    const { ElectionRepository, countsOf } = await import('./election/election.repository');
    const { formatProblem, readMasterDataFolder, validateMasterData } = await import('./election/master-data');
    const repo = new ElectionRepository(db);
    const loaded = await repo.loadedConfig();
    const result = validateMasterData(readMasterDataFolder(folder), loaded);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(p));
      console.error(`${result.problems.length} problem(s) in ${folder}; nothing loaded`);
      return 1;
    }
    if (!loaded) {
      console.error('no master data loaded yet: start the server once (it loads ELECTION_DATA as version 1), then import');
      return 1;
    }
    const actor = { id: null, username: `cli:${process.env.USER ?? 'unknown'}` };
    const outcome = await repo.importVersion(result.data, { actor, source: folder });
    if (!outcome.imported) {
      console.error(`refused: the real election already has ${outcome.results} TPS result(s); master data can no longer be replaced`);
      return 1;
    }
    const c = countsOf(result.data);
    console.log(
      `master data version ${outcome.version} loaded from ${folder}: ${c.regions} regions, ${c.tps} TPS, ${c.parties} parties, ${c.paslon} paslon, `
      + `${c.dapils} dapils, ${c.candidates} candidates; phase ${outcome.deployment.phase}, active election ${outcome.deployment.activeElectionId}`,
    );
    return 0;
  },
  async rebuild(_args, { db, store }) {
    const { rebuildProjections } = await import('./projections/rebuild');
    const started = Date.now();
    const result = await rebuildProjections(db, store);
    console.log(`rebuilt read models from ${result.events} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  },
  async check(_args, { db, store }) {
    const { checkTallies } = await import('./projections/rebuild');
    const report = await checkTallies(db, store);
    for (const d of report.differences.slice(0, 50)) console.log(JSON.stringify(d));
    console.log(report.ok ? `tallies match the events (${report.events} events)` : `${report.differences.length} difference(s) between tallies and events`);
    return report.ok ? 0 : 1;
  },
  async 'verify-chain'(args, { config, db, store, blobs }) {
    const { values } = parseArgs({
      args,
      options: { seals: { type: 'string' }, 'public-key': { type: 'string', multiple: true }, token: { type: 'string' } },
    });
    const { loadSeals, trustedKeys, verifySealedLog } = await import('./integrity/verify-sealed-log');
    const source = await loadSeals(values.seals, db, values.token ?? process.env.SUARA_TOKEN);
    const { keys, pinned } = trustedKeys(values['public-key'] ?? [], { keyFile: config.sealKeyFile, dataDir: config.dataDir }, source.seals);
    const report = await verifySealedLog(store, source.seals, keys);
    for (const p of report.chainProblems) console.log(`${p.problem}\t${p.streamId}#${p.streamPosition}\t${p.detail}`);
    for (const p of report.sealProblems) console.log(`seal-${p.problem}\t${p.detail}`);
    console.log(
      report.chainProblems.length === 0
        ? `hash chains intact: ${report.events} events in ${report.streams} streams`
        : `${report.chainProblems.length} problem(s) in the hash chains`,
    );
    const last = source.seals.at(-1);
    console.log(
      report.sealProblems.length === 0
        ? `seals hold: ${report.seals} seal(s) from ${source.label}${last ? `, the last over ${last.treeSize} events at ${last.at}` : ''}; key ${pinned}`
        : `${report.sealProblems.length} problem(s) against ${report.seals} seal(s) from ${source.label}; key ${pinned}`,
    );
    if (report.seals === 0) console.log('no seals to check against: only the hash chains were verified');
    const { verifyPhotoBlobs } = await import('./evidence/photo-backup');
    const photos = await verifyPhotoBlobs(store, blobs);
    for (const p of photos.problems) console.log(`${p.problem}\t${p.streamId}#${p.streamPosition}\t${p.detail}`);
    console.log(photos.problems.length === 0 ? `photos intact: ${photos.photos} referenced, each found and matching its SHA-256` : `${photos.problems.length} problem(s) with the photos`);
    return report.ok && photos.problems.length === 0 ? 0 : 1;
  },
  async export([file], { db, store, blobs }) {
    if (!file) return usage();
    console.log(`exported ${await exportEvents(store, file)} events to ${file}`);
    const { blobsFolderOf, exportPhotoBlobs } = await import('./evidence/photo-backup');
    const photos = await exportPhotoBlobs(file, blobs);
    if (photos > 0) console.log(`exported ${photos} photos to ${blobsFolderOf(file)}/`);
    return 0;
  },
  async import([file], { config, db, store, blobs }) {
    if (!file) return usage();
    if ((await store.head()) !== '0') throw new Error('import needs an empty event store');
    const { importPhotoBlobs } = await import('./evidence/photo-backup');
    const photos = await importPhotoBlobs(file, blobs);
    const { count, electionIds } = await importEvents(store, file);
    const { ElectionRepository } = await import('./election/election.repository');
    const { loadMasterData } = await import('./election/master-data');
    const deployment = await new ElectionRepository(db).restorePhase(loadMasterData(config.electionDataDir), electionIds);
    const { rebuildProjections } = await import('./projections/rebuild');
    await rebuildProjections(db, store);
    console.log(`imported ${count} events and ${photos} photos from ${file} and rebuilt the read models; phase: ${deployment.phase} (${deployment.activeElectionId})`);
    return 0;
  },
};

function usage(): number {
  console.error(USAGE);
  return 2;
}

async function open(): Promise<Context & { close(): Promise<void> }> {
  const config = loadConfig();
  const db = await openDatabase(config);
  await migrate(db, allMigrations);
  const store = await createEventStore(config, db);
  let blobs: Promise<BlobStore> | undefined;
  return {
    config,
    db,
    store,
    blobs() {
      if (!blobs) console.error(`photos: ${describeBlobStore(config)}`);
      return (blobs ??= openBlobStore(config));
    },
    async close() {
      await (await blobs?.catch(() => undefined))?.close();
      await store.close();
      await db.close();
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) return usage();
  const ctx = await open();
  try {
    return await command(args, ctx);
  } finally {
    await ctx.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
