/**
 * Typed client of the admin API; the CLI's only way into a cluster. Errors
 * come back as ShoalError with the server's code and message; an agent that
 * cannot be reached is reported as such, not as "fetch failed".
 */
import { ErrorCode, ShoalError, type ApiRole, type SecretKind, type SecretMeta, type Network, type NodeAvailability, type NodeInfo, type Service, type ServiceSpec, type Task } from '@shoal/types';

export interface NetworkInfo extends Network {
  services: { name: string; vip?: string; aliases: string[] }[];
  tasks: { taskId: string; service: string; nodeId: string; address: string }[];
  gateways: Record<string, string>;
}

export interface ServiceEndpoints {
  service: string;
  vip: string | null;
  endpointMode: 'vip' | 'dnsrr';
  dns: string;
  endpoints: { taskId: string; nodeId: string; slot: number; address: string }[];
}
import type { ClusterEvent, ClusterStatus, Health, JoinToken, LogLine, MetricsText, RebalanceReport, ServiceHistoryEntry, TaskExplanation, TaskFilter, UpdatePlan } from './backend.js';
import { sseMessages, textLines } from './lines.js';
import type { CreateSecretRequest, KeyRotation } from './secrets-backend.js';
import type { VolumeInfo } from './volumes-backend.js';
import type { ApiSession } from './session.js';
import type { ApiTokenInfo, AuditRecord, ClusterSettings, NewApiToken } from './security-types.js';

export type { ApiSession, SessionRole } from './session.js';

export interface ShoalClientOptions {
  /** e.g. http://127.0.0.1:7070 */
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

/** The server's certificate is not one the pinned CA signed for this host. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export class ShoalClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(opts: ShoalClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
  }

  listNodes(): Promise<NodeInfo[]> {
    return this.json('GET', '/v1/nodes');
  }
  getNode(idOrName: string): Promise<NodeInfo> {
    return this.json('GET', `/v1/nodes/${enc(idOrName)}`);
  }
  setNodeAvailability(idOrName: string, availability: NodeAvailability, opts: { deadlineMs?: number } = {}): Promise<NodeInfo> {
    return this.json('POST', `/v1/nodes/${enc(idOrName)}/availability`, opts.deadlineMs !== undefined ? { availability, deadlineMs: opts.deadlineMs } : { availability });
  }
  updateNodeLabels(idOrName: string, change: { add?: Record<string, string>; remove?: string[] }): Promise<NodeInfo> {
    return this.json('POST', `/v1/nodes/${enc(idOrName)}/labels`, { add: change.add ?? {}, remove: change.remove ?? [] });
  }
  getTask(id: string): Promise<Task> {
    return this.json('GET', `/v1/tasks/${enc(id)}`);
  }
  stopTask(id: string): Promise<Task> {
    return this.json('POST', `/v1/tasks/${enc(id)}/stop`);
  }
  /** Restarts a task in place; returns the new task. */
  restartTask(id: string): Promise<Task> {
    return this.json('POST', `/v1/tasks/${enc(id)}/restart`);
  }
  async removeNode(idOrName: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.json('DELETE', `/v1/nodes/${enc(idOrName)}${opts.force ? '?force=true' : ''}`);
  }

  /** Service networks with their services, VIPs and task addresses (route added by the daemon). */
  listNetworks(): Promise<NetworkInfo[]> {
    return this.json('GET', '/v1/networks');
  }
  getNetwork(name: string): Promise<NetworkInfo> {
    return this.json('GET', `/v1/networks/${enc(name)}`);
  }
  createNetwork(name: string, labels: Record<string, string> = {}): Promise<NetworkInfo> {
    return this.json('POST', '/v1/networks', { name, labels });
  }
  async removeNetwork(name: string): Promise<void> {
    await this.json('DELETE', `/v1/networks/${enc(name)}`);
  }
  /** Cluster API tokens (routes added by the daemon; admin only). The secret is in the answer of create, once. */
  createApiToken(name: string, role: ApiRole): Promise<NewApiToken> {
    return this.json('POST', '/v1/tokens', { name, role });
  }
  listApiTokens(): Promise<ApiTokenInfo[]> {
    return this.json('GET', '/v1/tokens');
  }
  async revokeApiToken(nameOrId: string): Promise<void> {
    await this.json('DELETE', `/v1/tokens/${enc(nameOrId)}`);
  }
  /** The audit trail of operator writes, oldest first (the last `limit`). */
  audit(limit?: number): Promise<AuditRecord[]> {
    return this.json('GET', `/v1/audit${limit !== undefined ? `?limit=${limit}` : ''}`);
  }
  clusterSettings(): Promise<ClusterSettings> {
    return this.json('GET', '/v1/cluster/settings');
  }
  updateClusterSettings(change: Partial<Pick<ClusterSettings, 'allowDangerous'>>): Promise<ClusterSettings> {
    return this.json('PATCH', '/v1/cluster/settings', change);
  }
  /** A service's VIP and its serving endpoints. */
  serviceEndpoints(name: string): Promise<ServiceEndpoints> {
    return this.json('GET', `/v1/services/${enc(name)}/endpoints`);
  }

  listServices(): Promise<Service[]> {
    return this.json('GET', '/v1/services');
  }
  getService(idOrName: string): Promise<Service> {
    return this.json('GET', `/v1/services/${enc(idOrName)}`);
  }
  createService(spec: ServiceSpec): Promise<Service> {
    return this.json('POST', '/v1/services', spec);
  }
  /** Throws the error a create of `spec` would get; nothing is committed. */
  async validateService(spec: ServiceSpec): Promise<void> {
    await this.json('POST', '/v1/services/validate', spec);
  }
  updateService(name: string, spec: ServiceSpec): Promise<Service> {
    return this.json('POST', `/v1/services/${enc(name)}/update`, { spec, dryRun: false });
  }
  /** What an update would do; nothing is committed. */
  planServiceUpdate(name: string, spec: ServiceSpec): Promise<UpdatePlan> {
    return this.json('POST', `/v1/services/${enc(name)}/update`, { spec, dryRun: true });
  }
  scaleService(name: string, replicas: number): Promise<Service> {
    return this.json('POST', `/v1/services/${enc(name)}/scale`, { replicas });
  }
  rollbackService(name: string, opts: { toVersion?: number } = {}): Promise<Service> {
    const q = opts.toVersion !== undefined ? `?toVersion=${opts.toVersion}` : '';
    return this.json('POST', `/v1/services/${enc(name)}/rollback${q}`);
  }
  promoteService(name: string): Promise<Service> {
    return this.json('POST', `/v1/services/${enc(name)}/promote`);
  }
  serviceHistory(name: string): Promise<ServiceHistoryEntry[]> {
    return this.json('GET', `/v1/services/${enc(name)}/history`);
  }
  rebalanceService(name: string, opts: { dryRun?: boolean } = {}): Promise<RebalanceReport> {
    return this.json('POST', `/v1/services/${enc(name)}/rebalance`, { dryRun: opts.dryRun ?? false });
  }
  async removeService(name: string): Promise<void> {
    await this.json('DELETE', `/v1/services/${enc(name)}`);
  }

  listTasks(filter: TaskFilter = {}): Promise<Task[]> {
    const q = new URLSearchParams();
    if (filter.service) q.set('service', filter.service);
    if (filter.node) q.set('node', filter.node);
    if (filter.all) q.set('all', 'true');
    const qs = q.toString();
    return this.json('GET', `/v1/tasks${qs ? `?${qs}` : ''}`);
  }
  explainTask(taskId: string): Promise<TaskExplanation> {
    return this.json('GET', `/v1/tasks/${enc(taskId)}/explain`);
  }

  clusterStatus(): Promise<ClusterStatus> {
    return this.json('GET', '/v1/cluster');
  }
  showToken(): Promise<JoinToken> {
    return this.json('GET', '/v1/cluster/token');
  }
  rotateToken(): Promise<JoinToken> {
    return this.json('POST', '/v1/cluster/token/rotate');
  }
  /** Creates a cluster on an agent that is in none (a route the daemon adds). */
  initCluster(opts: { voters?: number; allowDangerous?: boolean } = {}): Promise<JoinToken> {
    return this.json('POST', '/v1/cluster/init', opts);
  }
  /** Makes an agent that is in no cluster join the one at `addr` (p2p host:port). */
  joinCluster(addr: string, token: string): Promise<ClusterStatus> {
    return this.json('POST', '/v1/cluster/join', { addr, token });
  }
  listSecrets(kind: SecretKind): Promise<SecretMeta[]> {
    return this.json('GET', `/v1/${kind}s`);
  }
  getSecret(kind: SecretKind, idOrName: string): Promise<SecretMeta> {
    return this.json('GET', `/v1/${kind}s/${enc(idOrName)}`);
  }
  /** The value travels once, base64 in the request body, to the agent that seals it. */
  createSecret(kind: SecretKind, req: CreateSecretRequest): Promise<SecretMeta> {
    return this.json('POST', `/v1/${kind}s`, req);
  }
  async removeSecret(kind: SecretKind, idOrName: string): Promise<void> {
    await this.json('DELETE', `/v1/${kind}s/${enc(idOrName)}`);
  }
  listVolumes(): Promise<VolumeInfo[]> {
    return this.json('GET', '/v1/volumes');
  }
  rotateStoreKey(): Promise<KeyRotation> {
    return this.json('POST', '/v1/cluster/rotate-key');
  }
  /** Who this client's token is and its role. */
  session(): Promise<ApiSession> {
    return this.json('GET', '/v1/session');
  }
  /** Rotates the cluster's private-network key (leader only); route added by the daemon. */
  rotatePsk(opts: { force?: boolean } = {}): Promise<{ keyId: string; members: number; unreached: { id: string; name: string; error: string }[] }> {
    return this.json('POST', '/v1/cluster/rotate-psk', { force: opts.force === true });
  }

  /** The cluster CA certificate (PEM); route added by the daemon. */
  async clusterCa(): Promise<string> {
    return (await this.json<{ ca: string }>('GET', '/v1/cluster/ca')).ca;
  }

  openapi(): Promise<Record<string, unknown>> {
    return this.json('GET', '/v1/openapi.json');
  }

  async *events(signal?: AbortSignal): AsyncGenerator<ClusterEvent> {
    const res = await this.request('GET', '/v1/events', undefined, signal, 'text/event-stream');
    try {
      for await (const msg of sseMessages(res.body!)) {
        if (msg.event === 'error') throw errorFromBody(JSON.parse(msg.data), 500);
        yield JSON.parse(msg.data) as ClusterEvent;
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  }

  async *serviceLogs(name: string, opts: { follow?: boolean; tail?: number; signal?: AbortSignal } = {}): AsyncGenerator<LogLine> {
    const q = new URLSearchParams();
    if (opts.follow) q.set('follow', 'true');
    if (opts.tail !== undefined) q.set('tail', String(opts.tail));
    const qs = q.toString();
    const res = await this.request('GET', `/v1/services/${enc(name)}/logs${qs ? `?${qs}` : ''}`, undefined, opts.signal, 'application/x-ndjson');
    try {
      for await (const line of textLines(res.body!)) {
        if (line.trim() === '') continue;
        const item = JSON.parse(line) as LogLine | { error: unknown };
        if ('error' in item) throw errorFromBody(item, 500);
        yield item;
      }
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    }
  }

  async metrics(): Promise<MetricsText> {
    const res = await this.request('GET', '/metrics');
    return { contentType: res.headers.get('content-type') ?? 'text/plain', body: await res.text() };
  }
  /** /healthz answers 503 with a body when unhealthy; that is a result, not an error. */
  async health(): Promise<Health> {
    const res = await this.send('GET', '/healthz');
    const body = (await res.json().catch(() => ({}))) as Health;
    return { ...body, ok: res.ok && body.ok === true };
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** A 2xx response, or a thrown ShoalError. */
  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    const res = await this.send(method, path, body, signal, accept);
    if (res.ok) return res;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    throw errorFromBody(parsed, res.status, text);
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetchFn(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (err) {
      throw this.transportError(err, signal);
    }
  }

  private transportError(err: unknown, signal?: AbortSignal): ShoalError {
    if (signal?.aborted) return new ShoalError(ErrorCode.Aborted, 'request aborted');
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (err as { code?: string }).code;
    if (code && UNTRUSTED.has(code)) {
      return new ShoalError(
        ErrorCode.Unauthorized,
        `refusing ${this.baseUrl}: its TLS certificate is not one the trusted CA signed for that host (${code}); pin the cluster CA with --ca FILE or \`shoal context add --ca\` (\`shoal cluster ca\` on a node prints it)`,
        { reason: 'tls-untrusted', url: this.baseUrl, cause: code },
      );
    }
    if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(cause?.message ?? '')) {
      return new ShoalError(ErrorCode.Internal, `TLS handshake with ${this.baseUrl} failed (${cause?.message ?? code}): does the agent serve http, not https?`, { reason: 'tls', url: this.baseUrl });
    }
    if (code && UNREACHABLE.has(code)) {
      return new ShoalError(ErrorCode.Internal, `cannot reach the shoal agent at ${this.baseUrl}: is \`shoal agent\` running? (${code})`, { reason: 'unreachable', url: this.baseUrl, cause: code });
    }
    return new ShoalError(ErrorCode.Internal, `request to the shoal agent at ${this.baseUrl} failed: ${cause?.message ?? (err as Error).message}`, { url: this.baseUrl });
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function errorFromBody(body: unknown, status: number, raw = ''): ShoalError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new ShoalError(e.code as ErrorCode, e.message, (e.details as Record<string, unknown> | undefined) ?? undefined);
  }
  const snippet = raw.slice(0, 200).trim();
  return new ShoalError(ErrorCode.Internal, `the agent answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`, { status });
}
