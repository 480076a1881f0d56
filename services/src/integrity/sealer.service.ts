import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import { EVENT_STORE, SQL_DATABASE } from '../db/tokens';
import type { EventStore } from '../eventstore/event-store.port';
import { listSeals, SEAL_REQUESTED_CHANNEL } from './integrity.repository';
import { awaitCommittedVisible, sqlLeafReader, storeLeafReader } from './log-leaves';
import type { SealRecord } from './seal';
import { SealFile } from './seal-file';
import { loadSealKey } from './seal-key';
import { Sealer } from './sealer';

/**
 * Runs the sealer in processes with the `projector` role: a seal every SUARA_SEAL_INTERVAL
 * seconds when the log grew, and at once when asked (`POST /api/seals`, from any process, by
 * NOTIFY). With several projector replicas exactly one seals (a lease), the others stand by.
 * Every seal is also appended to the seals file; a process that takes over first appends the
 * seals its file misses.
 */
@Injectable()
export class SealerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('sealer');
  private sealer?: Sealer;
  private file?: SealFile;
  private timer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  /** The file may lack seals (a failed write, another process sealed before us): catch up before the next append. */
  private fileBehind = true;
  private lastError?: string;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.roles.includes('projector')) return;
    const key = loadSealKey({ keyFile: this.config.sealKeyFile, dataDir: this.config.dataDir }, (m) => this.log.warn(m));
    this.file = new SealFile(this.config.sealsFile);
    const sql = this.store.kind !== 'kurrentdb';
    const readLeaves = sql ? sqlLeafReader(this.db) : storeLeafReader(this.store);
    this.sealer = new Sealer(this.db, readLeaves, key, {
      owner: `sealer-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      leaseSeconds: Math.max(30, this.config.sealIntervalSeconds * 3),
      onSealed: (record) => this.writeFile(record),
      settle: sql ? () => awaitCommittedVisible(this.db) : undefined,
      logger: this.log,
    });
    this.unlisten = await this.db.listen(SEAL_REQUESTED_CHANNEL, () => void this.tick(true));
    this.timer = setInterval(() => void this.tick(false), this.config.sealIntervalSeconds * 1000);
    this.timer.unref();
    this.log.log(`sealing every ${this.config.sealIntervalSeconds} s with key ${key.keyId} (${key.file}); seals also to ${this.file.path}`);
    void this.tick(false);
  }

  /** Why the last attempt failed, for /health; undefined when it worked or this process does not seal. */
  get problem(): string | undefined {
    return this.lastError;
  }

  get sealing(): boolean {
    return this.sealer !== undefined;
  }

  /** A last seal on the way out (what was appended since the last tick), then the lease goes to a standby. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.().catch(() => undefined);
    await this.tick(false);
    await this.sealer?.release().catch(() => undefined);
  }

  private async tick(force: boolean): Promise<void> {
    try {
      await this.sealer?.seal(force);
      this.lastError = undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.log.error(`sealing failed: ${message}`);
      this.lastError = message;
    }
  }

  private async writeFile(record: SealRecord): Promise<void> {
    if (this.fileBehind) {
      const stored = (await listSeals(this.db, { limit: Number.MAX_SAFE_INTEGER })).map((s) => s.record);
      await this.file!.catchUp(stored);
      this.fileBehind = false;
      return;
    }
    try {
      await this.file!.append([record]);
    } catch (err) {
      this.fileBehind = true;
      throw err;
    }
  }
}
