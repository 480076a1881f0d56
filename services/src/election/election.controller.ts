import { Body, Controller, Get, HttpCode, Ip, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  BallotSheet, DeploymentChange, ElectionModeView, ElectionView, MASTER_DATA_FILES, MasterDataImportResult, PhaseBody, RegionCode, RegionView, TpsCode,
} from '@suara/contracts';
import { CurrentUser, Public, Roles, type AuthUser } from '../identity/auth.decorators';
import { CheckedCode, RegionAccess } from '../identity/region-access';
import { ApiError } from '../http/api-error';
import { parseBody } from '../http/parse-body';
import { ElectionService } from './election.service';
import { ElectionRepository, countsOf } from './election.repository';
import { problemPath, validateMasterData } from './master-data';
import { receiveMasterDataFiles } from './master-data-upload';
import { AuditLog } from '../identity/audit-log';
import { ApiDoc } from '../openapi/api-doc';

@Controller('api')
export class ElectionController {
  constructor(private readonly election: ElectionService, private readonly repo: ElectionRepository, private readonly audit: AuditLog) {}

  @Get('election')
  @ApiDoc({ summary: 'The election: ballots, paslon, parties, dapils, candidates, phase and active election id', response: ElectionView })
  view(): Promise<ElectionView> {
    return this.election.view();
  }

  /** Only the phase, to anyone: a first visitor's login page already says SIMULASI. */
  @Get('election/mode')
  @Public()
  @ApiDoc({ summary: 'The phase only (simulation or real), for the login page before anyone signs in', response: ElectionModeView })
  async mode(): Promise<ElectionModeView> {
    return { mode: (await this.election.deployment()).phase };
  }

  @Get('regions/:code')
  @RegionAccess('code')
  @ApiDoc({ summary: 'A region and its children', params: { code: RegionCode }, response: RegionView, errors: [403, 404] })
  region(@CheckedCode() code: string): RegionView {
    return this.election.regionView(code);
  }

  @Get('tps/:tpsCode/ballots')
  @RegionAccess('tpsCode')
  @ApiDoc({ summary: "The ballot sheets of a TPS: what its C.Hasil forms list", params: { tpsCode: TpsCode }, response: BallotSheet.array(), errors: [403, 404] })
  ballots(@CheckedCode() tpsCode: string): BallotSheet[] {
    return this.election.sheets(tpsCode);
  }

  /** Simulation only: a fresh run; earlier simulated results stay in the log but never count again. */
  @Post('admin/simulation/reset')
  @Roles('admin')
  @HttpCode(200)
  @ApiDoc({ summary: 'Simulation only: start a fresh run (earlier simulated results never count again)', response: DeploymentChange, errors: [409] })
  async resetSimulation(@CurrentUser() user: AuthUser, @Ip() ip: string): Promise<DeploymentChange> {
    const d = await this.repo.nextSimulationRun();
    if (!d) throw new ApiError(409, 'not_in_simulation', 'Pemilu sungguhan sudah berjalan; simulasi tidak dapat diulang');
    await this.election.deploymentChanged(d);
    await this.audit.record({ actor: user, action: 'simulation_reset', target: d.activeElectionId, ip });
    return { mode: d.phase, activeElectionId: d.activeElectionId };
  }

  /** Ends the simulation, once and for good. */
  @Post('admin/election/phase')
  @Roles('admin')
  @HttpCode(200)
  @ApiDoc({ summary: 'End the simulation: the real election starts, once and for good', body: PhaseBody, response: DeploymentChange, errors: [409] })
  async switchPhase(@Body() body: unknown, @CurrentUser() user: AuthUser, @Ip() ip: string): Promise<DeploymentChange> {
    parseBody(PhaseBody, body);
    const d = await this.repo.switchToReal();
    if (!d) throw new ApiError(409, 'already_real', 'Pemilu sungguhan sudah berjalan; tidak ada jalan kembali ke simulasi');
    await this.election.deploymentChanged(d);
    await this.audit.record({ actor: user, action: 'phase_switched', target: d.activeElectionId, detail: { phase: 'real' }, ip });
    return { mode: d.phase, activeElectionId: d.activeElectionId };
  }

  /**
   * A new master-data version from the files of a folder (README, "Master data"): every bad line is
   * listed (`400 invalid_master_data`, all of them in `details.problems`), nothing is loaded then.
   * In the simulation it starts a fresh run; in the real phase it is refused once results exist.
   */
  @Post('admin/election/import')
  @Roles('admin')
  @ApiDoc({
    summary: 'Load master data (regions, TPS, parties, paslon, dapils, candidates) as a new version',
    description: 'Multipart, one file part per file of the folder, named by its file name. Simulation: a fresh run starts on the new version. Real phase: refused (409) once results exist.',
    body: {
      contentType: 'multipart/form-data',
      schema: z.object(Object.fromEntries(MASTER_DATA_FILES.map((f) => [f, f === 'election.json' ? z.file().optional() : z.file()]))),
    },
    response: MasterDataImportResult,
    errors: [409, 413, 415],
  })
  async importMasterData(@Req() req: FastifyRequest, @CurrentUser() user: AuthUser, @Ip() ip: string): Promise<MasterDataImportResult> {
    const files = await receiveMasterDataFiles(req);
    const c = this.election.electionConfig;
    const result = validateMasterData(files, { id: c.id, name: c.name, provinsiCode: c.provinsiCode, kabupatenCode: c.kabupatenCode });
    if (!result.ok) {
      const issues = result.problems.map((p) => ({ path: problemPath(p), message: p.message }));
      throw new ApiError(400, 'invalid_master_data', `${result.problems.length} masalah di data induk; tidak ada yang dimuat`, issues, undefined, { problems: result.problems });
    }
    const outcome = await this.repo.importVersion(result.data, { actor: user, ip, source: 'admin upload' });
    if (!outcome.imported) {
      throw new ApiError(409, 'real_results', `Pemilu sungguhan sudah punya ${outcome.results} hasil TPS; data induk tidak dapat diganti lagi`, undefined, undefined, { results: outcome.results });
    }
    await this.election.deploymentChanged(outcome.deployment);
    return { version: outcome.version, mode: outcome.deployment.phase, activeElectionId: outcome.deployment.activeElectionId, counts: countsOf(result.data) };
  }
}
