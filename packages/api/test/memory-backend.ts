/**
 * An in-memory Backend for API and CLI tests: a tiny but honest cluster.
 * Every change reconciles at once: tasks are placed on active nodes that
 * satisfy the constraints (spread by service) and run, or stay pending with a
 * reason; an image whose name starts with "fail" makes tasks fail (one starting
 * with "refuse" is refused at create, after validation passed; with a health
 * check, "sick" images never turn healthy, others at once), and an
 * update with failureAction rollback then rolls back. Time is a counter.
 * Exported as `@shoal/api/testing`.
 */
import { ErrorCode, ShoalError, type NodeAvailability, type NodeInfo, type Service, type ServiceSpec, type Task } from '@shoal/types';
import type { Backend, NodeLabelChange, ClusterEvent, ClusterStatus, Health, JoinToken, LogLine, LogOptions, MetricsText, RebalanceReport, ServiceHistoryEntry, SpecChange, TaskExplanation, TaskFilter, UpdatePlan } from '../src/backend.js';
import { Feed } from './feed.js';

export interface MemoryNodeInit {
  name: string;
  labels?: Record<string, string>;
}

export class MemoryBackend implements Backend {
  readonly nodes: NodeInfo[];
  readonly services = new Map<string, Service>();
  readonly tasks: Task[] = [];
  readonly logLines: LogLine[] = [];
  /** Service name -> every version it had (unbounded: tests are short). */
  readonly versions = new Map<string, { version: number; at: number; change: string; spec: ServiceSpec }[]>();
  /** Count of committed changes; tests assert it did not move after a refused request. */
  mutations = 0;
  /** As the cluster setting: privileged specs are refused unless set. */
  allowDangerous = false;
  private time = 1_700_000_000_000;
  private index = 0;
  private ids = 0;
  private token = 'SWMTKN-test-0';
  private readonly eventFeed = new Feed<ClusterEvent>();
  private readonly logFeed = new Feed<LogLine>();

  constructor(nodes: MemoryNodeInit[] = [{ name: 'node-1', labels: { zone: 'a' } }, { name: 'node-2', labels: { zone: 'b' } }]) {
    this.nodes = nodes.map((n, i) => ({
      id: `12D3KooW${'node' + (i + 1)}`,
      name: n.name,
      addresses: [`/ip4/127.0.0.1/tcp/${7946 + i}`],
      labels: n.labels ?? {},
      resources: { cpuMillis: 2000, memoryBytes: 4 * 1024 ** 3 },
      drivers: ['docker', 'exec'],
      platform: { os: 'linux', arch: 'x64' },
      availability: 'active',
      status: 'ready',
      role: i < 3 ? 'voter' : 'learner',
      version: '0.1.0',
      createdAt: this.now(),
      updatedAt: this.now(),
    }));
  }

  get eventSubscribers(): number {
    return this.eventFeed.subscriberCount;
  }

  get logSubscribers(): number {
    return this.logFeed.subscriberCount;
  }

  /** Let a test write a line of output for a task, as its driver would. */
  appendLog(taskId: string, line: string, stream: 'stdout' | 'stderr' = 'stdout'): LogLine {
    const task = this.tasks.find((t) => t.id === taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    const entry: LogLine = { task: task.id, slot: task.slot, node: this.nodeName(task.nodeId), stream, line, ts: this.now() };
    this.logLines.push(entry);
    this.logFeed.publish(entry);
    return entry;
  }

  async listNodes(): Promise<NodeInfo[]> {
    return this.nodes;
  }
  async getNode(idOrName: string): Promise<NodeInfo> {
    const node = this.nodes.find((n) => n.id === idOrName || n.name === idOrName);
    if (!node) throw new ShoalError(ErrorCode.NotFound, `no node ${idOrName}; see \`shoal node ls\``);
    return node;
  }
  async setNodeAvailability(idOrName: string, availability: NodeAvailability, opts: { deadlineMs?: number } = {}): Promise<NodeInfo> {
    const node = await this.getNode(idOrName);
    node.availability = availability;
    if (availability === 'drain' && opts.deadlineMs !== undefined) node.drainDeadline = this.time + opts.deadlineMs;
    else delete node.drainDeadline;
    node.updatedAt = this.now();
    this.commit('node.availability', node.name, `${node.name} is now ${availability}`);
    if (availability === 'drain') for (const t of this.liveTasks()) if (t.nodeId === node.id) this.stopTask(t, 'node drained');
    for (const s of this.services.values()) this.reconcile(s);
    return node;
  }
  async removeNode(idOrName: string, opts: { force: boolean }): Promise<void> {
    const node = await this.getNode(idOrName);
    if (node.status === 'ready' && !opts.force) {
      throw new ShoalError(ErrorCode.Conflict, `node ${node.name} is up: drain it and stop its agent first, or use --force`);
    }
    this.nodes.splice(this.nodes.indexOf(node), 1);
    for (const t of this.liveTasks()) if (t.nodeId === node.id) this.stopTask(t, 'node removed');
    this.commit('node.remove', node.name, `${node.name} removed`);
    for (const s of this.services.values()) this.reconcile(s);
  }

  async listServices(): Promise<Service[]> {
    return [...this.services.values()];
  }
  async getService(idOrName: string): Promise<Service> {
    const service = this.services.get(idOrName) ?? [...this.services.values()].find((s) => s.id === idOrName);
    if (!service) throw new ShoalError(ErrorCode.NotFound, `no service ${idOrName}; see \`shoal service ls\``);
    return service;
  }
  async validateService(spec: ServiceSpec): Promise<void> {
    if (this.services.has(spec.name)) throw new ShoalError(ErrorCode.Conflict, `service ${spec.name} already exists; use \`shoal service update\``);
    if ((spec.driver ?? 'docker') === 'docker' && !spec.image) throw new ShoalError(ErrorCode.InvalidSpec, 'image is required for the docker driver');
    if (spec.privileged && !this.allowDangerous) throw new ShoalError(ErrorCode.DangerousSpec, `service "${spec.name}" asks for host access (privileged: true)`);
  }
  async createService(spec: ServiceSpec): Promise<Service> {
    await this.validateService(spec);
    if (spec.image?.startsWith('refuse')) throw new ShoalError(ErrorCode.Conflict, `test backend refuses to create ${spec.name}`);
    const service: Service = { id: this.newId('svc'), spec, version: 1, createdAt: this.now(), updatedAt: this.now() };
    // Jobs: one run at create (a test completes tasks by setting their status); a schedule waits.
    if (spec.mode === 'replicated-job' || spec.mode === 'global-job') service.job = { iteration: spec.job?.schedule ? 0 : 1, startedAt: this.time };
    this.services.set(spec.name, service);
    this.recordVersion(service, 'created');
    this.commit('service.create', spec.name, `created ${spec.name}`);
    this.reconcile(service);
    return service;
  }
  async updateService(name: string, spec: ServiceSpec, opts: { dryRun: boolean }): Promise<Service | UpdatePlan> {
    const service = await this.getService(name);
    if (spec.name !== service.spec.name) throw new ShoalError(ErrorCode.InvalidSpec, `a service cannot be renamed (${service.spec.name} -> ${spec.name})`);
    if (opts.dryRun) return this.plan(service, spec);
    service.previousSpec = service.spec;
    service.spec = spec;
    service.version += 1;
    service.updatedAt = this.now();
    service.updateStatus = { state: 'updating', message: 'update in progress', startedAt: this.now() };
    if (service.job) {
      delete service.updateStatus;
      if (!spec.job?.schedule) service.job = { iteration: service.job.iteration + 1, startedAt: this.time };
    }
    this.recordVersion(service, 'updated');
    this.commit('service.update', name, `updated ${name} to version ${service.version}`);
    const canaries = spec.update?.canary ?? 0;
    if (canaries > 0) {
      // Canaries beside the old tasks; promoteService finishes the update.
      service.updateStatus = { state: 'updating', startedAt: this.time, canary: 'waiting', message: `canary: ${canaries} new task(s) up beside the old ones` };
      for (let i = 1; i <= canaries; i++) this.startTask(service, (spec.replicas ?? 1) + i, this.nodes.filter((n) => this.rejections(n, spec).length === 0));
      return service;
    }
    this.reconcile(service);
    if (!service.job) this.finishUpdate(service);
    return service;
  }
  async scaleService(name: string, replicas: number): Promise<Service> {
    const service = await this.getService(name);
    if (service.spec.mode === 'global') throw new ShoalError(ErrorCode.InvalidSpec, `${name} is a global service; it runs one task per node and cannot be scaled`);
    service.spec = { ...service.spec, replicas };
    service.version += 1;
    service.updatedAt = this.now();
    this.recordVersion(service, `scaled to ${replicas}`);
    this.commit('service.scale', name, `scaled ${name} to ${replicas}`);
    this.reconcile(service, true);
    return service;
  }
  async rollbackService(name: string, opts: { toVersion?: number } = {}): Promise<Service> {
    const service = await this.getService(name);
    if (opts.toVersion !== undefined) {
      const target = this.versions.get(service.spec.name)?.find((v) => v.version === opts.toVersion);
      if (!target) throw new ShoalError(ErrorCode.NotFound, `${name} has no kept version ${opts.toVersion}`);
      service.previousSpec = service.spec;
      service.spec = target.spec;
      service.version += 1;
      this.recordVersion(service, `rolled back to version ${opts.toVersion}`);
      this.commit('service.rollback', name, `rolled back ${name} to version ${opts.toVersion}`);
      this.reconcile(service);
      return service;
    }
    if (!service.previousSpec) throw new ShoalError(ErrorCode.Conflict, `${name} has no previous spec to roll back to`);
    this.rollback(service, 'manual rollback');
    return service;
  }
  async promoteService(name: string): Promise<Service> {
    const service = await this.getService(name);
    if (service.updateStatus?.canary !== 'waiting') throw new ShoalError(ErrorCode.Conflict, `${name} has no canaries waiting to be promoted`);
    service.updateStatus = { ...service.updateStatus, canary: 'promoted', state: 'completed', message: 'update completed', completedAt: this.now() };
    this.commit('service.promote', name, `${name} canaries promoted`);
    return service;
  }
  async serviceHistory(name: string): Promise<ServiceHistoryEntry[]> {
    const service = await this.getService(name);
    const kept = this.versions.get(service.spec.name) ?? [];
    return kept.map((v, i) => {
      const changes: SpecChange[] = [];
      const before = kept[i - 1]?.spec;
      if (before) for (const k of new Set([...Object.keys(before), ...Object.keys(v.spec)] as (keyof ServiceSpec)[])) {
        if (JSON.stringify(before[k]) !== JSON.stringify(v.spec[k])) changes.push({ path: k, from: before[k] ?? null, to: v.spec[k] ?? null });
      }
      return { ...v, changes, current: v.version === service.version };
    });
  }
  private recordVersion(service: Service, change: string): void {
    const kept = this.versions.get(service.spec.name) ?? [];
    kept.push({ version: service.version, at: this.now(), change, spec: service.spec });
    this.versions.set(service.spec.name, kept);
  }
  /** Evens out running tasks over active ready nodes, moving them at once (no start-first in this double). */
  async rebalanceService(name: string, opts: { dryRun: boolean }): Promise<RebalanceReport> {
    const service = await this.getService(name);
    const nodes = this.nodes.filter((n) => n.status === 'ready' && n.availability === 'active');
    const mine = this.liveTasks().filter((t) => t.serviceId === service.id);
    const count = (id: string) => mine.filter((t) => t.nodeId === id).length;
    const spread = () => Object.fromEntries(nodes.map((n) => [n.name, count(n.id)]));
    const before = spread();
    const moves: RebalanceReport['moves'] = [];
    for (;;) {
      const sorted = [...nodes].sort((a, b) => count(a.id) - count(b.id));
      const [low, high] = [sorted[0], sorted[sorted.length - 1]];
      if (!low || !high || count(high.id) - count(low.id) <= 1) break;
      const t = mine.find((x) => x.nodeId === high.id)!;
      moves.push({ taskId: t.id, slot: t.slot, from: high.name, to: low.name });
      t.nodeId = low.id;
    }
    const after = spread();
    if (opts.dryRun) for (const m of moves) mine.find((t) => t.id === m.taskId)!.nodeId = nodes.find((n) => n.name === m.from)!.id;
    else if (moves.length > 0) this.commit('service.rebalance', service.spec.name, `rebalanced ${service.spec.name}: ${moves.length} moves`);
    return { service: service.spec.name, before, after, moves, requested: !opts.dryRun && moves.length > 0 };
  }
  async removeService(name: string): Promise<void> {
    const service = await this.getService(name);
    this.services.delete(service.spec.name);
    this.versions.delete(service.spec.name);
    for (const t of this.liveTasks()) if (t.serviceId === service.id) this.stopTask(t, 'service removed');
    this.commit('service.remove', service.spec.name, `removed ${service.spec.name}`);
  }

  async listTasks(filter: TaskFilter): Promise<Task[]> {
    let tasks = filter.all ? this.tasks : this.liveTasks();
    if (filter.service) {
      const s = await this.getService(filter.service);
      tasks = tasks.filter((t) => t.serviceId === s.id);
    }
    if (filter.node) {
      const n = await this.getNode(filter.node);
      tasks = tasks.filter((t) => t.nodeId === n.id);
    }
    return tasks;
  }
  async updateNodeLabels(idOrName: string, change: NodeLabelChange): Promise<NodeInfo> {
    const node = await this.getNode(idOrName);
    for (const k of change.remove) delete node.labels[k];
    Object.assign(node.labels, change.add);
    node.updatedAt = this.now();
    this.commit('node.labels', node.name, `${node.name} labels changed`);
    return node;
  }

  async getTask(taskId: string): Promise<Task> {
    const task = this.tasks.find((t) => t.id === taskId || t.id.startsWith(taskId));
    if (!task) throw new ShoalError(ErrorCode.NotFound, `no task ${taskId}; see \`shoal service ps\``);
    return task;
  }

  async requestTaskStop(taskId: string): Promise<Task> {
    const task = await this.getTask(taskId);
    if (task.desiredState !== 'running') throw new ShoalError(ErrorCode.Conflict, `task ${task.id} is already told to stop`);
    this.stopTask(task, 'stopped by an operator');
    const svc = this.services.get(task.serviceId);
    if (svc) this.reconcile(svc);
    return task;
  }

  async restartTask(taskId: string): Promise<Task> {
    const task = await this.getTask(taskId);
    if (task.desiredState !== 'running') throw new ShoalError(ErrorCode.Conflict, `task ${task.id} is already told to stop`);
    if (task.nodeId === undefined) throw new ShoalError(ErrorCode.Conflict, `task ${task.id} is not placed on a node yet`);
    this.stopTask(task, 'restarted by an operator');
    const copy: Task = { ...task, id: this.newId('task'), desiredState: 'running', createdAt: this.now(), updatedAt: this.now() };
    copy.status = { state: 'running', timestamp: this.now(), message: 'restarted by an operator', containerId: `c-${copy.id}` };
    this.tasks.push(copy);
    this.commit('task.restart', `${task.serviceName}.${task.slot}`, `${task.id} restarted as ${copy.id}`);
    return copy;
  }

  async explainTask(taskId: string): Promise<TaskExplanation> {
    const task = this.tasks.find((t) => t.id === taskId || t.id.startsWith(taskId));
    if (!task) throw new ShoalError(ErrorCode.NotFound, `no task ${taskId}; see \`shoal service ps\``);
    const nodes = this.nodes.map((n) => {
      const reasons = this.rejections(n, task.spec);
      return { nodeId: n.id, nodeName: n.name, feasible: reasons.length === 0, reasons };
    });
    const summary = task.status.state === 'pending' ? `pending: ${task.pendingReason}` : `${task.status.state} on ${this.nodeName(task.nodeId)}`;
    return { task, summary, nodes };
  }

  async clusterStatus(): Promise<ClusterStatus> {
    const member = (n: NodeInfo) => ({ id: n.id, name: n.name, role: n.role, status: n.status, healthy: n.status === 'ready', matchIndex: this.index });
    const leader = this.nodes[0];
    return {
      clusterId: 'c0ffee',
      leader: leader ? { id: leader.id, name: leader.name } : null,
      term: 3,
      commitIndex: this.index,
      appliedIndex: this.index,
      hasQuorum: true,
      voters: this.nodes.filter((n) => n.role === 'voter').map(member),
      learners: this.nodes.filter((n) => n.role === 'learner').map(member),
      self: { id: leader.id, name: leader.name, role: leader.role, isLeader: true },
    };
  }
  async showToken(): Promise<JoinToken> {
    return { token: this.token };
  }
  async rotateToken(): Promise<JoinToken> {
    this.token = `SWMTKN-test-${this.index + 1}`;
    this.commit('cluster.token', 'join-token', 'join token rotated');
    return { token: this.token, createdAt: this.time };
  }

  events(signal: AbortSignal): AsyncIterable<ClusterEvent> {
    return this.eventFeed.subscribe(signal);
  }

  async *serviceLogs(name: string, opts: LogOptions): AsyncIterable<LogLine> {
    const service = await this.getService(name);
    const ofService = (l: LogLine) => this.tasks.some((t) => t.id === l.task && t.serviceId === service.id);
    const live = opts.follow ? this.logFeed.subscribe(opts.signal) : undefined;
    const byTask = new Map<string, LogLine[]>();
    for (const l of this.logLines.filter(ofService)) byTask.set(l.task, [...(byTask.get(l.task) ?? []), l]);
    for (const lines of byTask.values()) yield* opts.tail === undefined ? lines : lines.slice(Math.max(0, lines.length - opts.tail));
    if (live) for await (const l of live) if (ofService(l)) yield l;
  }

  async metrics(): Promise<MetricsText> {
    const body = `# TYPE shoal_services gauge\nshoal_services ${this.services.size}\n# TYPE shoal_tasks_running gauge\nshoal_tasks_running ${this.tasks.filter((t) => t.status.state === 'running').length}\n`;
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body };
  }
  async health(): Promise<Health> {
    return { ok: true, node: this.nodes[0]?.name, leader: this.nodes[0]?.name };
  }

  private now(): number {
    return (this.time += 1);
  }
  private newId(prefix: string): string {
    return `${prefix}${(++this.ids).toString(36).padStart(6, '0')}`;
  }
  private commit(type: string, subject: string, summary: string): void {
    this.mutations += 1;
    this.eventFeed.publish({ index: ++this.index, type, at: this.now(), subject, summary });
  }
  private nodeName(id: string | undefined): string {
    return this.nodes.find((n) => n.id === id)?.name ?? id ?? '-';
  }
  private liveTasks(): Task[] {
    return this.tasks.filter((t) => t.desiredState === 'running');
  }
  private stopTask(task: Task, message: string): void {
    task.desiredState = 'shutdown';
    task.status = { state: 'shutdown', timestamp: this.now(), message };
    task.updatedAt = this.now();
  }

  /** Why a node cannot take a task of this spec ([] = it can). */
  private rejections(node: NodeInfo, spec: ServiceSpec): string[] {
    const reasons: string[] = [];
    if (node.availability !== 'active') reasons.push(`availability ${node.availability}`);
    if (node.status !== 'ready') reasons.push(`status ${node.status}`);
    for (const c of spec.placement?.constraints ?? []) {
      const m = /^node\.(labels\.([\w.-]+)|hostname|id)\s*(==|!=)\s*(.+)$/.exec(c.trim());
      if (!m) {
        reasons.push(`constraint ${c} not understood`);
        continue;
      }
      const actual = m[2] !== undefined ? node.labels[m[2]] : m[1] === 'hostname' ? node.name : node.id;
      if ((actual === m[4].trim()) !== (m[3] === '==')) reasons.push(`constraint ${c} not met`);
    }
    return reasons;
  }

  private reconcile(service: Service, keepVersions = false): void {
    const spec = service.spec;
    const live = () => this.liveTasks().filter((t) => t.serviceId === service.id);
    const fits = this.nodes.filter((n) => this.rejections(n, spec).length === 0);
    for (const t of live()) {
      const stale = !keepVersions && t.serviceVersion !== service.version;
      const surplus = spec.mode !== 'global' && spec.mode !== 'replicated-job' && t.slot > (spec.replicas ?? 1);
      const homeless = spec.mode === 'global' && !fits.some((n) => n.id === t.nodeId);
      if (stale || surplus || homeless) this.stopTask(t, stale ? 'replaced by a newer version' : 'no longer desired');
      else if (keepVersions) t.serviceVersion = service.version;
    }
    if (spec.mode === 'global') {
      for (const n of fits) if (!live().some((t) => t.nodeId === n.id)) this.startTask(service, 0, [n]);
      return;
    }
    if (service.job?.iteration === 0) return;
    const count = spec.mode === 'replicated-job' ? (spec.job?.completions ?? 1) : (spec.replicas ?? 1);
    for (let slot = 1; slot <= count; slot++) {
      const current = live().find((t) => t.slot === slot);
      if (current && current.status.state === 'pending' && fits.length > 0) this.stopTask(current, 'rescheduled');
      else if (current) continue;
      this.startTask(service, slot, fits);
    }
  }

  private startTask(service: Service, slot: number, fits: NodeInfo[]): void {
    const load = (n: NodeInfo) => this.liveTasks().filter((t) => t.nodeId === n.id && t.serviceId === service.id).length;
    const node = [...fits].sort((a, b) => load(a) - load(b))[0];
    const failing = service.spec.image?.startsWith('fail');
    const task: Task = {
      id: this.newId('task'),
      serviceId: service.id,
      serviceName: service.spec.name,
      serviceVersion: service.version,
      slot,
      desiredState: 'running',
      spec: service.spec,
      createdAt: this.now(),
      updatedAt: this.now(),
      status: { state: 'pending', timestamp: this.now(), message: 'waiting for a node' },
    };
    if (service.job) task.jobIteration = service.job.iteration;
    if (!node) {
      const why = this.nodes.map((n) => this.rejections(n, service.spec).join(', ')).join('; ');
      task.pendingReason = `${this.nodes.length} nodes: ${why || 'none available'}`;
    } else if (failing) {
      task.nodeId = node.id;
      task.status = { state: 'failed', timestamp: this.now(), message: 'failed to start', error: `image ${service.spec.image} not found` };
    } else {
      task.nodeId = node.id;
      task.status = { state: 'running', timestamp: this.now(), message: 'started', containerId: `c-${task.id}` };
      const checked = service.spec.healthcheck && service.spec.healthcheck.test[0] !== 'NONE';
      if (checked) task.status.health = service.spec.image?.startsWith('sick') ? 'unhealthy' : 'healthy';
    }
    this.tasks.push(task);
    this.commit('task.create', `${service.spec.name}.${slot}`, `${task.id} ${task.status.state}${node ? ` on ${node.name}` : ''}`);
  }

  private finishUpdate(service: Service): void {
    const failed = this.liveTasks().find((t) => t.serviceId === service.id && t.serviceVersion === service.version && t.status.state === 'failed');
    if (failed && service.spec.update?.failureAction === 'rollback') {
      this.rollback(service, `update rolled back: task ${failed.id} failed: ${failed.status.error}`);
      return;
    }
    service.updateStatus = { ...service.updateStatus!, state: failed ? 'paused' : 'completed', message: failed ? `update paused: task ${failed.id} failed: ${failed.status.error}` : 'update completed', completedAt: this.now() };
  }

  private rollback(service: Service, message: string): void {
    const previous = service.previousSpec!;
    service.previousSpec = service.spec;
    service.spec = previous;
    service.version += 1;
    service.updatedAt = this.now();
    service.updateStatus = { state: 'rollback_started', message, startedAt: this.now() };
    this.recordVersion(service, 'rolled back');
    this.commit('service.rollback', service.spec.name, message);
    this.reconcile(service);
    service.updateStatus = { ...service.updateStatus, state: 'rollback_completed', completedAt: this.now() };
  }

  private plan(service: Service, spec: ServiceSpec): UpdatePlan {
    const changes: SpecChange[] = [];
    const keys = new Set([...Object.keys(service.spec), ...Object.keys(spec)] as (keyof ServiceSpec)[]);
    for (const k of keys) if (JSON.stringify(service.spec[k]) !== JSON.stringify(spec[k])) changes.push({ path: k, from: service.spec[k], to: spec[k] });
    const before = service.spec.replicas ?? 1;
    const after = spec.replicas ?? 1;
    const onlyScale = changes.every((c) => c.path === 'replicas');
    return {
      service: service.spec.name,
      currentVersion: service.version,
      nextVersion: service.version + 1,
      changes,
      replace: onlyScale ? 0 : Math.min(before, after),
      create: Math.max(0, after - before),
      remove: Math.max(0, before - after),
      notes: changes.length === 0 ? ['no change'] : [`parallelism ${spec.update?.parallelism ?? 1}, order ${spec.update?.order ?? 'stop-first'}`],
    };
  }
}
