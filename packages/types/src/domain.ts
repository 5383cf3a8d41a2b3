/**
 * The cluster's domain objects, as stored in the replicated state and shown
 * by the API. Times are milliseconds since the epoch, taken from the leader's
 * injected clock when a command is proposed (never read while applying).
 */
import type { NodeId } from './ids.js';
import type { NetworkRanges } from './network.js';
import type { ServiceSpec } from './spec.js';

export type { NodeId };
export type DriverName = 'docker' | 'exec';

/** CPU in milli-cores (1000 = one core), memory in bytes. */
export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeStatus = 'ready' | 'down' | 'unknown';
export type NodeRole = 'voter' | 'learner';

export interface Platform {
  os: string;
  arch: string;
}

export interface NodeInfo {
  /** The libp2p peer id; also the Raft id. Never reused once removed. */
  id: NodeId;
  name: string;
  /** libp2p multiaddrs the node listens on. */
  addresses: string[];
  /** host:port of its admin API (loopback by default). */
  apiAddress?: string;
  /** Effective labels: the agent's own (`--label`) with the operator's changes applied. */
  labels: Record<string, string>;
  /**
   * Changes made at runtime with `shoal node update --label-add/--label-rm`:
   * a value sets the label, null removes it. They survive the agent's
   * re-registration on restart, so an operator's edit is never lost.
   */
  operatorLabels?: Record<string, string | null>;
  resources: Resources;
  drivers: DriverName[];
  platform: Platform;
  availability: NodeAvailability;
  /** Set by `node drain --deadline`: until then tasks move start-first; after it, those left are stopped. */
  drainDeadline?: number;
  status: NodeStatus;
  statusMessage?: string;
  /** Host pressure the leader confirmed (memory: takes no new tasks and sheds some; cpu: sheds some); absent when normal. */
  pressure?: NodePressure;
  role: NodeRole;
  version: string;
  /** X25519 public key (base64url) that secrets for this node's tasks are sealed to. */
  sealKey?: string;
  /**
   * The bind-mount sources of the cluster's Docker services that exist on
   * this node, as its agent last checked them: the scheduler places a task
   * only where every source it binds exists (at most MAX_HOST_PATHS).
   */
  hostPaths?: string[];
  createdAt: number;
  updatedAt: number;
}

/**
 * Task states in the order they may be reached (swarmkit's model): a task's
 * observed state only ever moves to a later one.
 */
export const TASK_STATES = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export type DesiredTaskState = 'running' | 'shutdown' | 'remove';

export type TaskHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface TaskStatus {
  state: TaskState;
  timestamp: number;
  message: string;
  error?: string;
  exitCode?: number;
  containerId?: string;
  health?: TaskHealth;
  /** The task's IPv4 address on each shoal network it joined (network name -> address), reported by its agent. */
  addresses?: Record<string, string>;
}

export interface NodePressure {
  level: 'memory' | 'cpu';
  /** When the leader declared it (its clock). */
  since: number;
  /** The sample that tipped it, for people: "memory PSI 34.0%, 3.1% memory available, cpu PSI 2.0%". */
  detail: string;
}

export interface Task {
  id: string;
  serviceId: string;
  serviceName: string;
  /** The service version whose spec this task runs. */
  serviceVersion: number;
  /** Replica slot (1..replicas) for replicated services; 0 for global ones. */
  slot: number;
  /** Set when assigned (or, for global services, at creation). */
  nodeId?: NodeId;
  desiredState: DesiredTaskState;
  status: TaskStatus;
  spec: ServiceSpec;
  createdAt: number;
  updatedAt: number;
  /** Why the task is not placed yet (scheduler explanation). */
  pendingReason?: string;
  /**
   * Times (ms) of earlier restarts of this slot that the restart policy
   * counts, carried from task to replacement so max-attempts survives the
   * pruning of old tasks. Bounded by the policy's maxAttempts.
   */
  restartHistory?: number[];
  /**
   * Restarts of this slot in a row without a healthy run (the backoff
   * exponent), carried from task to replacement like restartHistory.
   */
  restartStreak?: number;
  /** When the task last became running (the leader's commit time). */
  startedAt?: number;
  /** Started by an update with canaries beside the old tasks (slots above the replica count until promoted). */
  canary?: boolean;
  /** Job modes: the run (Service.job.iteration) this task belongs to. */
  jobIteration?: number;
  /** A rebalance move: the task of the same slot this one replaces once it is up (start first, then stop). */
  replaces?: string;
  /** Why the task was moved (rebalance, host pressure), for `shoal task explain`. */
  moveReason?: string;
}

export type UpdateState =
  | 'updating'
  | 'paused'
  | 'completed'
  | 'rollback_started'
  | 'rollback_paused'
  | 'rollback_completed';

export interface UpdateStatus {
  state: UpdateState;
  /** An update with canaries: waiting for `shoal service promote` (or auto-promote), then promoted. */
  canary?: 'waiting' | 'promoted';
  message: string;
  startedAt: number;
  completedAt?: number;
}

/** Where a job (replicated-job or global-job service) stands: its current run. */
export interface JobRun {
  /** Runs so far; tasks carry the run they belong to in `jobIteration`. */
  iteration: number;
  /** When the current run was started (or, before a scheduled job's first run, when it was created). */
  startedAt: number;
}

export interface Service {
  id: string;
  spec: ServiceSpec;
  /** Incremented on every spec change (update, scale, rollback). */
  version: number;
  previousSpec?: ServiceSpec;
  createdAt: number;
  updatedAt: number;
  updateStatus?: UpdateStatus;
  /** Job modes: the current run (0 = a scheduled job that has not run yet) and when it was started. */
  job?: JobRun;
  /** Virtual IP from the cluster VIP range, set by the leader after create; kept across updates, freed on remove. */
  vip?: string;
  /** An operator asked for a rebalance (`shoal service rebalance`); cleared by the leader once the spread is even. */
  rebalanceRequestedAt?: number;
}

/**
 * One kept version of a service (`shoal service history`): the spec as it
 * was at that version, when and by whom it was made. Bounded per service by
 * the spec's `historyLimit`.
 */
export interface ServiceVersion {
  version: number;
  spec: ServiceSpec;
  at: number;
  /** The API token name of the operator who made it; absent for the cluster's own changes. */
  by?: string;
  /** What made it: created, updated, scaled, rolled back, rolled back to version N. */
  change: string;
}

export interface ClusterConfig {
  clusterId: string;
  /** Allow privileged, host namespaces, added caps, devices, docker.sock or `/` mounts. */
  allowDangerous: boolean;
  /** Number of Raft voters the autopilot keeps (3 or 5). */
  voters: number;
  /** How long a voter may be down before a healthy learner replaces it. */
  voterGraceMs: number;
  /** Max finished tasks kept per slot. */
  taskHistory: number;
  /** Most replicas one service may ask for (absent = DEFAULT_LIMITS). */
  maxReplicasPerService?: number;
  /** Most tasks all services together may ask for (absent = DEFAULT_LIMITS). */
  maxTasksPerCluster?: number;
  /** Address ranges of service networking (set at init; defaults in DEFAULT_NETWORK_RANGES). */
  network?: NetworkRanges;
}

/** Cluster-wide ceilings, so one spec cannot exhaust every agent's memory (100,000 replicas took 700 MB). */
export const DEFAULT_LIMITS = { maxReplicasPerService: 1000, maxTasksPerCluster: 10_000 } as const;
