/**
 * The admin API's Backend on a node: reads come from the local replica,
 * writes are proposed through the leader (forwarded over libp2p when this
 * node follows) and wait until this replica applied them.
 */
import { ErrorCode, ShoalError, type SecretKind, type SecretMeta, type NodeAvailability, type NodeInfo, type Service, type ServiceSpec, type Task } from '@shoal/types';
import type { Backend, NodeLabelChange, SecretsBackend, VolumesBackend, VolumeInfo, CreateSecretRequest, KeyRotation, ClusterEvent, ClusterMember, ClusterStatus, Health, JoinToken, LogLine, LogOptions, MetricsText, RebalanceReport, ServiceHistoryEntry, TaskExplanation, TaskFilter, UpdatePlan } from '@shoal/api';
import { checkServiceInput, specChanges, type Command } from '@shoal/state';
import { operatorWrite } from './operator-write.js';
import { planRebalance, planUpdate } from '@shoal/orchestrator';
import { explainPlacement } from '@shoal/scheduler';
import { publishedPortClash } from '@shoal/netplan';
import { encodeJoinToken, generateClusterSecrets, hashSecret } from '@shoal/p2p';
import type { ClusterRuntime } from './runtime.js';
import { sealSecret } from './join-secret.js';
import { openJoinSecret } from './psk-rotation.js';
import { serviceLogs } from './logs.js';
import { checkFileRefs, secretOps } from './secret-backend.js';
import { listVolumes, stickyNote } from './volume-view.js';

/** What the backend needs from its node: the runtime once the node is in a cluster, its configured name, its metrics. */
export interface BackendComponents {
  runtime(): ClusterRuntime | null;
  readonly nodeName: string;
  metrics(): Promise<MetricsText>;
  /** Why this node is out of its cluster for good (removed), or null. */
  removed?(): string | null;
}

export class NodeBackend implements Backend, SecretsBackend, VolumesBackend {
  constructor(private readonly node: BackendComponents) {}

  private rt(): ClusterRuntime {
    const removed = this.node.removed?.();
    if (removed) throw new ShoalError(ErrorCode.NodeRemoved, removed);
    const rt = this.node.runtime();
    if (!rt) throw new ShoalError(ErrorCode.Conflict, 'this agent is not in a cluster yet: run `shoal init` to create one, or `shoal join ADDR --join-token-file FILE`');
    return rt;
  }

  /** Proposes as the API's caller: the leader checks their credential and role, and the audit trail names them. */
  private async write(cmd: Command): Promise<string | undefined> {
    const { result } = await operatorWrite(this.rt(), cmd);
    if (!result.ok) throw new ShoalError(mapCode(result.error.code), result.error.message);
    return result.id;
  }

  async listNodes(): Promise<NodeInfo[]> {
    return this.rt().state.nodes();
  }
  async getNode(idOrName: string): Promise<NodeInfo> {
    const n = this.rt().nodeOf(idOrName);
    if (!n) throw new ShoalError(ErrorCode.NotFound, `node ${idOrName} not found; list nodes with \`shoal node ls\``);
    return n;
  }
  async setNodeAvailability(idOrName: string, availability: NodeAvailability, opts: { deadlineMs?: number } = {}): Promise<NodeInfo> {
    const n = await this.getNode(idOrName);
    const deadline = availability === 'drain' && opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {};
    await this.write({ type: 'node.availability', at: Date.now(), nodeId: n.id, availability, ...deadline });
    return this.getNode(n.id);
  }
  async removeNode(idOrName: string, opts: { force: boolean }): Promise<void> {
    const rt = this.rt();
    const n = await this.getNode(idOrName);
    if (n.id === rt.raft.status().leader) throw new ShoalError(ErrorCode.Conflict, `node ${n.name} is the leader; stop it first (leadership moves), then remove it`);
    if (n.status === 'ready' && !opts.force) {
      throw new ShoalError(ErrorCode.Conflict, `node ${n.name} is up; drain it and stop its agent first, or remove it anyway with --force`);
    }
    const conf = rt.raft.status().conf;
    if (conf.voters.includes(n.id) || conf.learners.includes(n.id)) {
      if (!rt.isLeader()) throw new ShoalError(ErrorCode.Conflict, 'run `node rm` against the leader\'s API (see `shoal cluster status`)');
      await rt.raft.proposeConfChange({ type: 'removeNode', node: n.id });
    }
    // Revoked for good: the same peer id can never join again.
    await this.write({ type: 'allowlist.remove', at: Date.now(), peerIds: [n.id] });
    await this.write({ type: 'node.remove', at: Date.now(), nodeId: n.id });
  }

  async updateNodeLabels(idOrName: string, change: NodeLabelChange): Promise<NodeInfo> {
    const n = await this.getNode(idOrName);
    const clash = change.remove.find((k) => k in change.add);
    if (clash) throw new ShoalError(ErrorCode.InvalidSpec, `label ${clash} is both added and removed; give it once`);
    await this.write({ type: 'node.labels', at: Date.now(), nodeId: n.id, set: change.add, remove: change.remove });
    return this.getNode(n.id);
  }

  async listServices(): Promise<Service[]> {
    return this.rt().state.services();
  }
  async getService(idOrName: string): Promise<Service> {
    const s = this.rt().state.service(idOrName);
    if (!s) throw new ShoalError(ErrorCode.NotFound, `service ${idOrName} not found; list services with \`shoal service ls\``);
    return s;
  }
  async validateService(spec: ServiceSpec): Promise<void> {
    const rt = this.rt();
    checkServiceInput(spec, rt.state.config());
    checkFileRefs(rt, spec);
    if (rt.state.service(spec.name)) throw new ShoalError(ErrorCode.Conflict, `service ${spec.name} already exists; change it with \`shoal service update ${spec.name}\``);
    this.checkPorts(spec);
  }
  private checkPorts(spec: ServiceSpec): void {
    const clash = publishedPortClash(spec, this.rt().state.services());
    if (clash) throw new ShoalError(ErrorCode.Conflict, clash);
  }
  async createService(spec: ServiceSpec): Promise<Service> {
    const rt = this.rt();
    await this.validateService(spec);
    const serviceId = rt.newId('s');
    await this.write({ type: 'service.create', at: Date.now(), serviceId, spec });
    return this.getService(serviceId);
  }
  async updateService(name: string, spec: ServiceSpec, opts: { dryRun: boolean }): Promise<Service | UpdatePlan> {
    const rt = this.rt();
    checkServiceInput(spec, rt.state.config());
    checkFileRefs(rt, spec);
    const svc = await this.getService(name);
    if (spec.name !== svc.spec.name) throw new ShoalError(ErrorCode.InvalidSpec, `name: a service cannot be renamed (${svc.spec.name} -> ${spec.name}); create a new service instead`);
    this.checkPorts(spec);
    if (opts.dryRun) return toApiPlan(planUpdate(rt.state, name, spec), svc.spec, spec);
    await this.write({ type: 'service.update', at: Date.now(), serviceId: svc.id, spec, expectVersion: svc.version });
    return this.getService(svc.id);
  }
  async scaleService(name: string, replicas: number): Promise<Service> {
    const svc = await this.getService(name);
    if ((svc.spec.mode ?? 'replicated') === 'global') throw new ShoalError(ErrorCode.InvalidSpec, `service ${svc.spec.name} is global (one task per node) and cannot be scaled`);
    await this.write({ type: 'service.scale', at: Date.now(), serviceId: svc.id, replicas });
    return this.getService(svc.id);
  }
  async rollbackService(name: string, opts: { toVersion?: number } = {}): Promise<Service> {
    const svc = await this.getService(name);
    if (opts.toVersion !== undefined) {
      const reason = `rollback to version ${opts.toVersion} requested by an operator`;
      await this.write({ type: 'service.rollback', at: Date.now(), serviceId: svc.id, reason, expectVersion: svc.version, toVersion: opts.toVersion });
      return this.getService(svc.id);
    }
    if (!svc.previousSpec) throw new ShoalError(ErrorCode.Conflict, `service ${svc.spec.name} has no previous version to roll back to`);
    await this.write({ type: 'service.rollback', at: Date.now(), serviceId: svc.id, reason: 'requested by an operator', expectVersion: svc.version });
    return this.getService(svc.id);
  }
  async promoteService(name: string): Promise<Service> {
    const svc = await this.getService(name);
    if (svc.updateStatus?.state !== 'updating' || svc.updateStatus.canary !== 'waiting') {
      throw new ShoalError(ErrorCode.Conflict, `service ${svc.spec.name} has no canaries waiting to be promoted; start some with \`shoal service update ${svc.spec.name} --canary N ...\``);
    }
    await this.write({ type: 'service.promote', at: Date.now(), serviceId: svc.id, expectVersion: svc.version });
    return this.getService(svc.id);
  }
  async serviceHistory(name: string): Promise<ServiceHistoryEntry[]> {
    const svc = await this.getService(name);
    const kept = this.rt().state.serviceHistory(svc.id);
    return kept.map((v, i) => ({
      version: v.version,
      at: v.at,
      ...(v.by !== undefined ? { by: v.by } : {}),
      change: v.change,
      changes: i === 0 ? [] : specChanges(kept[i - 1].spec, v.spec),
      current: v.version === svc.version,
      spec: v.spec,
    }));
  }
  async rebalanceService(name: string, opts: { dryRun: boolean }): Promise<RebalanceReport> {
    const rt = this.rt();
    const svc = await this.getService(name);
    const plan = planRebalance(rt.state, svc);
    const report: RebalanceReport = {
      service: plan.service,
      before: plan.before,
      after: plan.after,
      moves: plan.moves.map((m) => ({ taskId: m.taskId, slot: m.slot, from: m.fromName, to: m.toName })),
      ...(plan.skipped !== undefined ? { skipped: plan.skipped } : {}),
      requested: false,
    };
    if (opts.dryRun || plan.moves.length === 0) return report;
    await this.write({ type: 'service.rebalance', at: Date.now(), serviceId: svc.id, requested: true });
    return { ...report, requested: true };
  }
  async removeService(name: string): Promise<void> {
    const svc = await this.getService(name);
    await this.write({ type: 'service.remove', at: Date.now(), serviceId: svc.id });
  }

  async listTasks(filter: TaskFilter): Promise<Task[]> {
    const rt = this.rt();
    const serviceId = filter.service ? (await this.getService(filter.service)).id : undefined;
    const nodeId = filter.node ? (await this.getNode(filter.node)).id : undefined;
    const tasks = rt.state.tasks({ ...(serviceId ? { serviceId } : {}), ...(nodeId ? { nodeId } : {}), ...(filter.all ? {} : { desiredState: 'running' as const }) });
    return tasks.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.slot - b.slot || a.createdAt - b.createdAt);
  }
  async getTask(taskId: string): Promise<Task> {
    const rt = this.rt();
    const exact = rt.state.task(taskId);
    if (exact) return exact;
    const matches = rt.state.tasks().filter((t) => t.id.startsWith(taskId));
    if (matches.length > 1) throw new ShoalError(ErrorCode.Conflict, `task id prefix ${taskId} matches ${matches.length} tasks; give more of the id`);
    if (!matches[0]) throw new ShoalError(ErrorCode.NotFound, `task ${taskId} not found; list tasks with \`shoal service ps NAME\``);
    return matches[0];
  }
  async requestTaskStop(taskId: string): Promise<Task> {
    const task = await this.getTask(taskId);
    if (task.desiredState !== 'running') throw new ShoalError(ErrorCode.Conflict, `task ${task.id} is already ${task.desiredState === 'shutdown' ? 'told to stop' : task.desiredState}`);
    await this.write({ type: 'task.desired', at: Date.now(), changes: [{ taskId: task.id, desiredState: 'shutdown', message: 'stopped by an operator (shoal task stop)' }] });
    return this.getTask(task.id);
  }
  async restartTask(taskId: string): Promise<Task> {
    const task = await this.getTask(taskId);
    const newTaskId = await this.write({ type: 'task.restart', at: Date.now(), taskId: task.id, newTaskId: this.rt().newId('t'), message: 'restarted by an operator (shoal task restart)' });
    return this.getTask(newTaskId ?? task.id);
  }
  async explainTask(taskId: string): Promise<TaskExplanation> {
    const rt = this.rt();
    const task = await this.getTask(taskId);
    const live = rt.state.tasks({ desiredState: 'running' }).filter((t) => t.nodeId !== undefined && t.id !== task.id);
    const nodes = explainPlacement({ nodes: rt.state.nodes(), tasks: live, pending: [task] }, task);
    const unplaced = task.status.state === 'new' || task.status.state === 'pending';
    let placed = task.nodeId && !unplaced ? `on ${rt.state.node(task.nodeId)?.name ?? task.nodeId}, ${task.status.state}` : `pending: ${task.pendingReason ?? 'waiting for the scheduler'}`;
    if (task.replaces) {
      const old = rt.state.task(task.replaces);
      const from = old?.nodeId ? (rt.state.node(old.nodeId)?.name ?? old.nodeId) : 'another node';
      placed += `; moved here from ${from} (replaces task ${task.replaces})${task.moveReason ? `: ${task.moveReason}` : ''}`;
    }
    return {
      task,
      summary: placed + stickyNote(rt, task),
      nodes: nodes.map((n) => ({ nodeId: n.nodeId, nodeName: n.name, feasible: n.eligible, reasons: n.reasons })),
    };
  }

  async clusterStatus(): Promise<ClusterStatus> {
    const rt = this.rt();
    const st = rt.raft.status();
    const member = (id: string, role: 'voter' | 'learner'): ClusterMember => {
      const n = rt.state.node(id);
      const live = id === rt.selfId ? 'alive' : rt.membership.liveness.state(id);
      const peer = rt.membership.liveness.peer(id);
      return {
        id,
        name: n?.name ?? id.slice(-8),
        role,
        status: n?.status ?? 'unknown',
        healthy: live === 'alive',
        ...(st.progress?.[id] ? { matchIndex: st.progress[id].match } : {}),
        ...(peer?.lastSeenAt != null ? { lastContactMs: Math.round(performance.now() - peer.lastSeenAt) } : {}),
      };
    };
    const leader = st.leader ? { id: st.leader, name: rt.state.node(st.leader)?.name ?? st.leader.slice(-8) } : null;
    const voters = st.conf.voters.map((v) => member(v, 'voter'));
    const self = rt.state.node(rt.selfId);
    return {
      clusterId: rt.opts.identity.clusterId,
      leader,
      term: st.term,
      commitIndex: st.commit,
      appliedIndex: st.applied,
      lastIndex: st.lastIndex,
      hasQuorum: voters.filter((v) => v.healthy).length > voters.length / 2 && leader !== null,
      voters,
      learners: st.conf.learners.map((l) => member(l, 'learner')),
      self: { id: rt.selfId, name: self?.name ?? this.node.nodeName, role: st.conf.voters.includes(rt.selfId) ? 'voter' : 'learner', isLeader: st.role === 'leader' },
    };
  }

  async showToken(): Promise<JoinToken> {
    const rt = this.rt();
    const sealed = rt.state.joinTokenSealed();
    if (!sealed) throw new ShoalError(ErrorCode.NotFound, 'the cluster has no join token yet; create one with `shoal cluster token rotate`');
    return { token: this.tokenFor(openJoinSecret(rt.opts.identity, sealed)) };
  }
  async rotateToken(): Promise<JoinToken> {
    const rt = this.rt();
    const secret = generateClusterSecrets().joinSecret;
    await this.write({ type: 'token.set', at: Date.now(), hash: hashSecret(secret), sealed: sealSecret(rt.opts.identity.psk, secret) });
    return { token: this.tokenFor(secret), createdAt: Date.now() };
  }
  private tokenFor(secret: string): string {
    const rt = this.rt();
    const ready = rt.state.nodes().filter((n) => n.status === 'ready');
    const addrs = ready.flatMap((n) => n.addresses.filter((a) => !a.includes('/p2p-circuit'))).slice(0, 16);
    return encodeJoinToken({ clusterId: rt.opts.identity.clusterId, psk: Buffer.from(rt.opts.identity.psk, 'hex'), secret, addrs });
  }

  async listSecrets(kind: SecretKind): Promise<SecretMeta[]> {
    return secretOps.list(this.rt(), kind);
  }
  async getSecret(kind: SecretKind, idOrName: string): Promise<SecretMeta> {
    return secretOps.get(this.rt(), kind, idOrName);
  }
  createSecret(kind: SecretKind, req: CreateSecretRequest): Promise<SecretMeta> {
    return secretOps.create(this.rt(), kind, req);
  }
  removeSecret(kind: SecretKind, idOrName: string): Promise<void> {
    return secretOps.remove(this.rt(), kind, idOrName);
  }
  async listVolumes(): Promise<VolumeInfo[]> {
    return listVolumes(this.rt());
  }
  rotateStoreKey(): Promise<KeyRotation> {
    return secretOps.rotate(this.rt());
  }

  events(signal: AbortSignal): AsyncIterable<ClusterEvent> {
    return this.rt().events.subscribe(signal);
  }
  serviceLogs(name: string, opts: LogOptions): AsyncIterable<LogLine> {
    const rt = this.rt();
    const svc = rt.state.service(name);
    if (!svc) throw new ShoalError(ErrorCode.NotFound, `service ${name} not found; list services with \`shoal service ls\``);
    return serviceLogs(rt, svc, opts);
  }

  async metrics(): Promise<MetricsText> {
    return this.node.metrics();
  }
  async health(): Promise<Health> {
    const rt = this.node.runtime();
    if (this.node.removed?.()) return { ok: false, clustered: false, removed: true };
    if (!rt) return { ok: true, clustered: false };
    const st = rt.raft.status();
    return { ok: st.leader !== null, clustered: true, node: rt.selfId, leader: st.leader, term: st.term, applied: st.applied };
  }
}

function mapCode(code: string): ErrorCode {
  return (Object.values(ErrorCode) as string[]).includes(code) ? (code as ErrorCode) : ErrorCode.Conflict;
}

function toApiPlan(p: ReturnType<typeof planUpdate>, from: ServiceSpec, to: ServiceSpec): UpdatePlan {
  const field = (spec: ServiceSpec, path: string) => (spec as Record<string, unknown>)[path];
  return {
    service: p.service,
    currentVersion: p.fromVersion,
    nextVersion: p.fromVersion + 1,
    changes: p.changes.map((path) => ({ path, from: field(from, path) ?? null, to: field(to, path) ?? null })),
    replace: p.replace.length,
    create: Math.max(0, p.scaleBy),
    remove: Math.max(0, -p.scaleBy),
    notes: [
      p.replacesTasks ? `${p.replace.length} task(s) replaced in ${p.batches} batch(es) of ${p.parallelism || 'all'}, ${p.order}` : 'no task needs replacing',
      ...(p.minDurationMs > 0 ? [`takes at least ${Math.round(p.minDurationMs / 1000)} s (delays and monitor period)`] : []),
    ],
  };
}
