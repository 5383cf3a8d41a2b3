/** The read side of the cluster state: what the orchestrator, scheduler, API and agents query. */
import type { ClusterConfig, DesiredTaskState, Network, NodeInfo, Service, ServiceVersion, Task, TaskState } from '@shoal/types';

export interface TaskFilter {
  serviceId?: string;
  nodeId?: string;
  desiredState?: DesiredTaskState;
  state?: TaskState;
}

/**
 * Read-only queries. Returned objects are the stored ones: never mutate them
 * (the state replaces objects on change, so a held reference stays a
 * consistent copy).
 */
export interface ClusterView {
  readonly lastApplied: number;
  nodes(): NodeInfo[];
  node(id: string): NodeInfo | undefined;
  nodeByName(name: string): NodeInfo | undefined;
  services(): Service[];
  service(idOrName: string): Service | undefined;
  /** The kept versions of a service (id or name), oldest first; empty when unknown. */
  serviceHistory(idOrName: string): ServiceVersion[];
  tasks(filter?: TaskFilter): Task[];
  task(id: string): Task | undefined;
  tasksByNode(nodeId: string): Task[];
  tasksByService(serviceId: string): Task[];
  /** Tasks wanted running and waiting for a node (new or pending), without a scan; views without the index leave it out. */
  unplacedTasks?(): Task[];
  config(): ClusterConfig;
  allowlist(): string[];
  revoked(): string[];
  joinTokenHash(): string | null;
  /** The join secret sealed with the cluster key (see daemon/join-secret). */
  joinTokenSealed(): string | null;
  /** Service networks (see @shoal/types network.ts). */
  networks(): Network[];
  network(idOrName: string): Network | undefined;
  /** Node id -> overlay (VXLAN) address. */
  overlays(): Map<string, string>;
}
