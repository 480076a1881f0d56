import { Controller, Get, HttpCode, Inject, Injectable, Post, Query, Req, Res } from '@nestjs/common';
import { SealsView, SealView, sealText } from '@suara/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { ApiError } from '../http/api-error';
import { parseParam } from '../http/parse-body';
import { AuditLog } from '../identity/audit-log';
import { ApiDoc } from '../openapi/api-doc';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { countSeals, latestSeal, listSeals, SEAL_PUBLISHED_CHANNEL, SEAL_REQUESTED_CHANNEL } from './integrity.repository';
import type { SealRecord } from './seal';
import { readSealPublicKey } from './seal-key';

const Limit = z.coerce.number().int().min(1).max(1000).optional();

/** How long `POST /api/seals` waits for the sealing process to answer. */
const SEAL_WAIT_MS = 15_000;

/** Reading seals, and asking the sealing process (wherever it runs) for a new one. */
@Injectable()
export class SealsService {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async view(limit: number): Promise<SealsView> {
    const [seals, total] = await Promise.all([listSeals(this.db, { limit, newestFirst: true }), countSeals(this.db)]);
    const latest = seals[0]?.record ?? null;
    // This process's own key file is the authority; without one (a command-only replica), the key the latest seal names.
    const own = readSealPublicKey({ keyFile: this.config.sealKeyFile, dataDir: this.config.dataDir });
    const key = own ?? (latest ? { publicKey: latest.publicKey, keyId: latest.keyId } : undefined);
    return {
      publicKey: key ? { algorithm: 'Ed25519', key: key.publicKey, keyId: key.keyId } : null,
      latest,
      latestText: latest ? sealText(latest) : null,
      seals: seals.map((s) => s.record),
      total,
      intervalSeconds: this.config.sealIntervalSeconds,
    };
  }

  async all(): Promise<SealRecord[]> {
    return (await listSeals(this.db, { limit: Number.MAX_SAFE_INTEGER })).map((s) => s.record);
  }

  /** Asks the sealing process for a seal now and waits for it; 503 when no process seals. */
  async sealNow(): Promise<SealRecord> {
    const before = (await latestSeal(this.db))?.id ?? 0;
    let wake: () => void = () => undefined;
    const published = new Promise<void>((resolve) => (wake = resolve));
    const unlisten = await this.db.listen(SEAL_PUBLISHED_CHANNEL, () => wake());
    try {
      await this.db.query('SELECT pg_notify($1, $2)', [SEAL_REQUESTED_CHANNEL, '']);
      const deadline = Date.now() + SEAL_WAIT_MS;
      while (Date.now() < deadline) {
        const [newer] = await listSeals(this.db, { afterId: before, limit: 1, newestFirst: true });
        if (newer) return newer.record;
        await Promise.race([published, new Promise((r) => setTimeout(r, 500))]);
      }
    } finally {
      await unlisten().catch(() => undefined);
    }
    throw new ApiError(503, 'sealer_unavailable', 'Tidak ada proses penyegel yang menjawab; periksa proses projector', undefined, { 'retry-after': '30' });
  }
}

/**
 * `GET /api/seals`: the seals and the public key for officials to print or copy; `GET
 * /api/seals/export`: every seal as seal lines (what `verify-chain --seals <url>` reads);
 * `POST /api/seals`: seal now.
 */
@Controller('api/seals')
@Roles('verifier', 'official', 'admin')
export class SealsController {
  constructor(
    private readonly seals: SealsService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @ApiDoc({ summary: 'The signed seals of the event log and the public key, newest first', query: z.object({ limit: Limit }), response: SealsView })
  list(@Query('limit') limit: unknown): Promise<SealsView> {
    return this.seals.view(parseParam(Limit, limit, 'limit') ?? 100);
  }

  @Get('export')
  @ApiDoc({ summary: 'Every seal, one JSON line each, oldest first (what verify-chain --seals reads)', response: { contentType: 'application/x-ndjson' } })
  async export(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    return (await this.seals.all()).map((r) => `${JSON.stringify(r)}\n`).join('');
  }

  @Post()
  @Roles('official', 'admin')
  @HttpCode(201)
  @ApiDoc({ summary: 'Seal the log now', response: SealView })
  async sealNow(@CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<SealView> {
    const seal = await this.seals.sealNow();
    await this.audit.record({ actor: user, action: 'seal_requested', target: String(seal.treeSize), detail: { root: seal.root, at: seal.at }, ip: req.ip });
    return seal;
  }
}
