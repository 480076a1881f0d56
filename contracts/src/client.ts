import type { Ballot } from './ids';
import type { CHasilForm } from './form';
import type { CorrectResultBody, SubmitResultBody } from './commands';
import type { ElectionModeView, ElectionView, RegionView, BallotSheet, DeploymentChange, MasterDataImportResult } from './election';
import type {
  Anomaly, DapilSummary, DapilTallyView, ResultStatus, CreateUserBody, ErrorBody, HealthView, HistoryEntry, LoginResponse, PhotoView, ProposalStatus, ProposalView,
  ProposeCorrectionResponse, ResultsQueueFilter, ResultView, SubmitResultResponse, TallyView, UserView, ValidateResponse,
} from './readmodels';
import type { DrawSampleBody, QuickCountView, Sample, SamplePlan, SamplePlanQuery } from './quickcount';
import type { AdminUserView, AuditEntryView, CreatedUser } from './identity';
import type { SealsView, SealView } from './integrity';
import type { AuditQuery, ImportUsersResult, ReportFormat } from './reports';

/** An HTTP answer that was not 2xx; `body` is the API's error shape. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ErrorBody, readonly headers?: Headers) {
    super(`${status} ${body.error}: ${body.message}`);
  }
}

export interface ApiResponse<T> { status: number; body: T }

/**
 * Typed client of suara's public HTTP API (`API.md`), for operators' own tools, the simulator and tests.
 * Works wherever `fetch` exists (Node ≥ 18, browsers).
 */
export class SuaraClient {
  constructor(readonly baseUrl: string, public token?: string, private readonly fetchImpl: typeof fetch = fetch) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
  }

  private async send<T>(method: string, path: string, headers: Record<string, string>, body?: BodyInit): Promise<ApiResponse<T>> {
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetchImpl(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      throw new ApiError(res.status, parsed ?? { error: 'http_error', message: res.statusText }, res.headers);
    }
    return { status: res.status, body: parsed as T };
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const { body } = await this.request<LoginResponse>('POST', '/api/auth/login', { username, password });
    this.token = body.token;
    return body;
  }
  /** Ends this token on the server (every process), then forgets it. */
  async logout(): Promise<void> {
    await this.request('POST', '/api/auth/logout');
    this.token = undefined;
  }
  me() { return this.get<UserView>('/api/me'); }
  health() { return this.get<HealthView>('/health'); }
  election() { return this.get<ElectionView>('/api/election'); }
  electionMode() { return this.get<ElectionModeView>('/api/election/mode'); }
  region(code: string) { return this.get<RegionView>(`/api/regions/${code}`); }
  tpsBallots(tpsCode: string) { return this.get<BallotSheet[]>(`/api/tps/${tpsCode}/ballots`); }
  createUser(user: CreateUserBody) { return this.post<CreatedUser>('/api/admin/users', user); }
  users() { return this.get<AdminUserView[]>('/api/admin/users'); }
  disableUser(id: string) { return this.post<AdminUserView>(`/api/admin/users/${id}/disable`, {}); }
  enableUser(id: string) { return this.post<AdminUserView>(`/api/admin/users/${id}/enable`, {}); }
  /** Sets a new password and revokes the user's tokens. */
  resetPassword(id: string, password: string) { return this.post<AdminUserView>(`/api/admin/users/${id}/password`, { password }); }
  revokeTokens(id: string) { return this.post<AdminUserView>(`/api/admin/users/${id}/revoke-tokens`, {}); }
  /** Logins and admin actions, newest first. */
  /** `GET /api/admin/audit`: newest first; a number is the page size, or filters (`before` pages back). */
  audit(query?: number | Partial<AuditQuery>) {
    const q = typeof query === 'number' ? { limit: query } : query ?? {};
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    return this.get<AuditEntryView[]>(`/api/admin/audit${params.size ? `?${params}` : ''}`);
  }
  /** `POST /api/admin/users/import`: operator accounts from CSV, all or nothing (`400 invalid_import` lists the wrong lines). */
  importUsers(csv: string) { return this.post<ImportUsersResult>('/api/admin/users/import', { csv }); }

  validate(tpsCode: string, ballot: Ballot, form: CHasilForm) {
    return this.post<ValidateResponse>('/api/results/validate', { tpsCode, ballot, form });
  }
  /** Submits a C.Hasil; `status` is 201 for the first time, 200 for a retry of the same request. */
  submit(body: SubmitResultBody) { return this.request<SubmitResultResponse>('POST', '/api/results', body); }
  result(tpsCode: string, ballot: Ballot) { return this.get<ResultView>(`/api/results/${tpsCode}/${ballot}`); }
  history(tpsCode: string, ballot: Ballot) { return this.get<HistoryEntry[]>(`/api/results/${tpsCode}/${ballot}/history`); }
  verify(tpsCode: string, ballot: Ballot, expectedVersion: number) {
    return this.post<ResultView>(`/api/results/${tpsCode}/${ballot}/verify`, { expectedVersion });
  }
  /** A correction the operator confirmed outside the app (`operatorConfirmation`): it applies at once. */
  correct(tpsCode: string, ballot: Ballot, body: CorrectResultBody & { operatorConfirmation: string }) {
    return this.post<ResultView>(`/api/results/${tpsCode}/${ballot}/corrections`, body);
  }
  /** A correction proposed to the TPS's operator: `202 {proposalId, status: "proposed", proposal}`. */
  propose(tpsCode: string, ballot: Ballot, body: Omit<CorrectResultBody, 'operatorConfirmation'>) {
    return this.request<ProposeCorrectionResponse>('POST', `/api/results/${tpsCode}/${ballot}/corrections`, body);
  }
  /** Proposals in these statuses (default open); operators get their own scope's. */
  proposals(status: ProposalStatus[] = ['open']) { return this.get<ProposalView[]>(`/api/proposals?status=${status.join(',')}`); }
  proposal(proposalId: string) { return this.get<ProposalView>(`/api/proposals/${proposalId}`); }
  /** The operator confirms: the correction applies. */
  confirmProposal(proposalId: string) {
    return this.post<{ proposal: ProposalView; result: ResultView }>(`/api/proposals/${proposalId}/confirm`, {});
  }
  disputeProposal(proposalId: string, reason: string) {
    return this.post<{ proposal: ProposalView; result: ResultView }>(`/api/proposals/${proposalId}/dispute`, { reason });
  }
  /** The proposer takes it back. */
  withdrawProposal(proposalId: string) {
    return this.post<{ proposal: ProposalView; result: ResultView }>(`/api/proposals/${proposalId}/withdraw`, {});
  }
  /**
   * `POST /api/results/:tpsCode/:ballot/photos` (multipart, field `photo`, optional `page`): `status` is
   * 201 for a new photo, 200 when these very bytes were already attached to the result.
   */
  uploadPhoto(tpsCode: string, ballot: Ballot, photo: Blob, options: { page?: number; filename?: string } = {}) {
    const form = new FormData();
    if (options.page !== undefined) form.append('page', String(options.page));
    form.append('photo', photo, options.filename ?? 'chasil.jpg');
    return this.send<PhotoView>('POST', `/api/results/${tpsCode}/${ballot}/photos`, {}, form);
  }
  /**
   * `POST /api/admin/election/import` (multipart, one file part per file of the folder, named by its
   * file name: `regions.csv`, …): a new master-data version. `400 invalid_master_data` lists every bad
   * line in `details.problems`; `409 real_results` once the real election has results.
   */
  importMasterData(files: Array<{ name: string; content: Blob }>) {
    const form = new FormData();
    for (const f of files) form.append(f.name, f.content, f.name);
    return this.send<MasterDataImportResult>('POST', '/api/admin/election/import', {}, form);
  }
  /** The path of a photo (`size: 'thumb'`: at most 480 px wide); fetch it with the token. */
  static photoPath(sha256: string, size?: 'thumb'): string {
    return `/api/photos/${sha256}${size ? `?size=${size}` : ''}`;
  }
  /** A photo's bytes and type; `404` also for a hash the caller may not see. */
  async photo(sha256: string, size?: 'thumb'): Promise<{ bytes: Uint8Array; contentType: string; etag: string | null }> {
    const { bytes, headers } = await this.bytes(SuaraClient.photoPath(sha256, size));
    return { bytes, contentType: headers.get('content-type') ?? '', etag: headers.get('etag') };
  }
  static reportPath(regionCode: string, query: { ballot: Ballot; format: ReportFormat; separator?: 'semicolon' | 'comma' }): string {
    const params = new URLSearchParams({ ballot: query.ballot, format: query.format, ...(query.separator ? { separator: query.separator } : {}) });
    return `/api/reports/${regionCode}?${params}`;
  }
  /** `GET /api/reports/:regionCode`: the recap file (PDF, XLSX or CSV) and the name the server gives it. */
  async report(regionCode: string, query: { ballot: Ballot; format: ReportFormat; separator?: 'semicolon' | 'comma' }): Promise<{ bytes: Uint8Array; contentType: string; filename: string }> {
    const { bytes, headers } = await this.bytes(SuaraClient.reportPath(regionCode, query));
    const filename = /filename="([^"]+)"/.exec(headers.get('content-disposition') ?? '')?.[1] ?? `rekap.${query.format}`;
    return { bytes, contentType: headers.get('content-type') ?? '', filename };
  }

  /** A GET answered with a file rather than JSON; errors still come as the API's JSON. */
  private async bytes(path: string): Promise<{ bytes: Uint8Array; headers: Headers }> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    const res = await this.fetchImpl(this.baseUrl + path, { headers });
    if (!res.ok) {
      const text = await res.text();
      throw new ApiError(res.status, text ? JSON.parse(text) : { error: 'http_error', message: res.statusText }, res.headers);
    }
    return { bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
  }
  tally(regionCode: string, ballot: Ballot) { return this.get<TallyView>(`/api/tallies/${regionCode}?ballot=${ballot}`); }
  dapils(ballot?: Ballot) { return this.get<DapilSummary[]>(`/api/dapil${ballot ? `?ballot=${ballot}` : ''}`); }
  dapilTally(dapilCode: string, ballot: Ballot) { return this.get<DapilTallyView>(`/api/tallies/dapil/${encodeURIComponent(dapilCode)}?ballot=${ballot}`); }
  /**
   * `GET /api/results?ballot=&status=&photos=&region=&flag=` (verifier, official, admin): the results of a
   * ballot in the given statuses, flagged (worst) first, then oldest — the verifier's queue; narrowed to a
   * region (kecamatan, desa) and to results carrying a flag. Statuses are comma-separated in the query.
   */
  results(query: ResultsQueueFilter & { status?: ResultStatus[] } = {}) {
    const params = new URLSearchParams();
    if (query.ballot) params.set('ballot', query.ballot);
    if (query.status?.length) params.set('status', query.status.join(','));
    if (query.photos) params.set('photos', query.photos);
    if (query.region) params.set('region', query.region);
    if (query.flag) params.set('flag', query.flag);
    const qs = params.toString();
    return this.get<ResultView[]>(`/api/results${qs ? `?${qs}` : ''}`);
  }
  anomalies(ballot?: Ballot) { return this.get<Anomaly[]>(`/api/anomalies${ballot ? `?ballot=${ballot}` : ''}`); }
  quickcount(ballot: Ballot) { return this.get<QuickCountView>(`/api/quickcount?ballot=${ballot}`); }
  drawSample(body: DrawSampleBody) { return this.post<Sample>('/api/admin/quickcount/sample', body); }
  samplePlan(query: SamplePlanQuery) {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return this.get<SamplePlan>(`/api/admin/quickcount/plan?${params}`);
  }
  /** Signed seals of the event log, newest first, with the signing key (verifier, official, admin). */
  seals(limit?: number) { return this.get<SealsView>(`/api/seals${limit ? `?limit=${limit}` : ''}`); }
  /** Seals the log now (official, admin): `201` with the new seal. */
  sealNow() { return this.post<SealView>('/api/seals', {}); }
  resetSimulation() { return this.post<DeploymentChange>('/api/admin/simulation/reset', {}); }
  switchToReal() { return this.post<DeploymentChange>('/api/admin/election/phase', { phase: 'real' }); }

  private async get<T>(path: string): Promise<T> { return (await this.request<T>('GET', path)).body; }
  private async post<T>(path: string, body: unknown): Promise<T> { return (await this.request<T>('POST', path, body)).body; }
}
