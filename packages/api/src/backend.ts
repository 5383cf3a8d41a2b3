/**
 * The contract between the admin API and the node that serves it. The daemon
 * implements `Backend`; the HTTP server only translates between HTTP and these
 * calls, and the client mirrors them over HTTP. Every method may throw a
 * `ShoalError`; its code decides the HTTP status (see http-errors.ts).
 */
import type { NodeAvailability, NodeInfo, NodeRole, NodeStatus, Service, ServiceSpec, Task, TaskLogLine, TaskLogOptions } from '@shoal/types';

export interface TaskFilter {
  /** Service id or name. */
  service?: string;
  /** Node id or name. */
  node?: string;
  /** Include finished tasks (history); default: only tasks desired running. */
  all?: boolean;
}

/** One field that a spec update changes, e.g. {path: 'image', from: 'nginx:1', to: 'nginx:2'}. */
export interface SpecChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** What `service update --dry-run` would do (Nomad's plan). Nothing is committed. */
export interface UpdatePlan {
  service: string;
  currentVersion: number;
  nextVersion: number;
  changes: SpecChange[];
  /** Tasks that will be replaced by tasks of the new spec. */
  replace: number;
  /** Tasks added (scale up) and removed (scale down). */
  create: number;
  remove: number;
  /** Human-readable notes: batches, order, placement warnings. */
  notes: string[];
}

/** One kept version of a service, as `shoal service history` shows it. */
export interface ServiceHistoryEntry {
  version: number;
  /** ms since epoch */
  at: number;
  /** API token name of who made it, when known. */
  by?: string;
  /** created, updated, scaled to N, rolled back, rolled back to version N */
  change: string;
  /** What differs from the kept version before it (empty for the oldest kept). */
  changes: SpecChange[];
  /** True for the version the service runs now. */
  current: boolean;
  spec: ServiceSpec;
}

/** Why a task is where it is (or is not placed), node by node. */
/** `shoal service rebalance`: running tasks per eligible node before and after, and the moves. */
export interface RebalanceReport {
  service: string;
  before: Record<string, number>;
  after: Record<string, number>;
  moves: { taskId: string; slot: number; from: string; to: string }[];
  /** Why nothing can be planned now (an update runs, tasks are starting, placement preferences). */
  skipped?: string;
  /** False for a dry run (nothing was asked of the leader). */
  requested: boolean;
}

export interface TaskExplanation {
  task: Task;
  /** One line for people, e.g. "pending: 3 nodes: 2 lacking memory, 1 port 8080 taken". */
  summary: string;
  nodes: { nodeId: string; nodeName: string; feasible: boolean; reasons: string[] }[];
}

export interface ClusterMember {
  id: string;
  name: string;
  role: NodeRole;
  status: NodeStatus;
  /** Reachable and caught up enough to count toward quorum. */
  healthy: boolean;
  /** Last Raft index known replicated to it (leader's view), if known. */
  matchIndex?: number;
  /** Milliseconds since the leader last heard from it, if known. */
  lastContactMs?: number;
}

export interface ClusterStatus {
  clusterId: string;
  leader: { id: string; name: string } | null;
  term: number;
  commitIndex: number;
  appliedIndex: number;
  /** Last index in this node's log (committed or not): what `shoal cluster recover` compares between survivors. */
  lastIndex?: number;
  hasQuorum: boolean;
  voters: ClusterMember[];
  learners: ClusterMember[];
  /** The node answering this request. */
  self: { id: string; name: string; role: NodeRole; isLeader: boolean };
}

export interface JoinToken {
  token: string;
  /** When this token became current (ms since epoch), if known. */
  createdAt?: number;
}

/** A committed change, as shown by `shoal events`. `index` is the Raft index. */
export interface ClusterEvent {
  index: number;
  /** e.g. service.create, task.state, node.down */
  type: string;
  /** ms since epoch */
  at: number;
  /** what it is about: a service name, a task id, a node name */
  subject: string;
  summary: string;
}

/** A task's log line as the API streams it: which task, slot and node it came from. */
export interface LogLine extends TaskLogLine {
  /** Task id. */
  task: string;
  /** Replica slot of the task (0 for global services). */
  slot?: number;
  /** Node name (or id). */
  node: string;
}

export interface LogOptions extends TaskLogOptions {
  signal: AbortSignal;
}

export interface Health {
  ok: boolean;
  /** Free-form details: node id, leader, quorum, version... */
  [key: string]: unknown;
}

export interface MetricsText {
  contentType: string;
  body: string;
}

export interface NodeLabelChange {
  add: Record<string, string>;
  remove: string[];
}

export interface Backend {
  listNodes(): Promise<NodeInfo[]>;
  getNode(idOrName: string): Promise<NodeInfo>;
  /** `deadlineMs` with drain: tasks move start-first and those not moved by then are stopped. */
  setNodeAvailability(idOrName: string, availability: NodeAvailability, opts?: { deadlineMs?: number }): Promise<NodeInfo>;
  removeNode(idOrName: string, opts: { force: boolean }): Promise<void>;
  /** Sets and removes labels at runtime; they survive the agent's restart. */
  updateNodeLabels(idOrName: string, change: NodeLabelChange): Promise<NodeInfo>;

  listServices(): Promise<Service[]>;
  getService(idOrName: string): Promise<Service>;
  createService(spec: ServiceSpec): Promise<Service>;
  /** Throws what createService would throw for `spec` (host access, name taken); commits nothing. */
  validateService(spec: ServiceSpec): Promise<void>;
  /** Replace the spec of `name`. With dryRun nothing is committed and the plan is returned. */
  updateService(name: string, spec: ServiceSpec, opts: { dryRun: boolean }): Promise<Service | UpdatePlan>;
  scaleService(name: string, replicas: number): Promise<Service>;
  /** Back to the previous spec, or with `toVersion` to any kept version (see serviceHistory). */
  rollbackService(name: string, opts?: { toVersion?: number }): Promise<Service>;
  /** Promotes an update's canaries: the rolling update replaces the remaining old tasks. */
  promoteService(name: string): Promise<Service>;
  /** Kept versions, oldest first, each with what it changed. */
  serviceHistory(name: string): Promise<ServiceHistoryEntry[]>;
  /** The moves that even out `name` over its nodes; unless dryRun, asks the leader to carry them out. */
  rebalanceService(name: string, opts: { dryRun: boolean }): Promise<RebalanceReport>;
  removeService(name: string): Promise<void>;

  listTasks(filter: TaskFilter): Promise<Task[]>;
  explainTask(taskId: string): Promise<TaskExplanation>;
  /** One task by id or unique id prefix, finished or not. */
  getTask(taskId: string): Promise<Task>;
  /** Stops one task; its service starts a replacement if it still wants the slot (Nomad's `alloc stop`). */
  requestTaskStop(taskId: string): Promise<Task>;
  /** Restarts one task in place: stops it and starts a copy on the same node. Returns the new task. */
  restartTask(taskId: string): Promise<Task>;

  clusterStatus(): Promise<ClusterStatus>;
  showToken(): Promise<JoinToken>;
  rotateToken(): Promise<JoinToken>;

  /** Committed changes from now on, until `signal` aborts. */
  events(signal: AbortSignal): AsyncIterable<ClusterEvent>;
  /** Every task's output of a service; with follow, keeps going until `signal` aborts. */
  serviceLogs(name: string, opts: LogOptions): AsyncIterable<LogLine>;

  /** Prometheus text exposition. */
  metrics(): Promise<MetricsText>;
  health(): Promise<Health>;
}
