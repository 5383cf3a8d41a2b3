/**
 * Service networking: the objects the replicated state keeps for it and the
 * conventions every node derives the same data plane from.
 *
 * Control plane (pure, through the Raft log):
 * - A network is a cluster object. A network named by a service spec
 *   (`spec.networks[].name`, or `default` when the spec names none) is created
 *   by the leader on first reference and freed when no service references it
 *   any more (unless it was made with `shoal network create`, which keeps it
 *   until `shoal network rm`). A stack's networks are `<stack>_default` and
 *   `<stack>_<net>`.
 * - Each network gets, per node that may run its tasks, a container subnet
 *   (`subnets[nodeId]`, a /24 by default) from the cluster's subnet pool
 *   (default 10.211.0.0/16); each node gets one overlay (VTEP) address from the
 *   last /24 of that pool. Each service gets one virtual IP from the VIP range
 *   (default 10.210.0.0/16) that stays for the life of the service (updates,
 *   scale, rollbacks, leader changes) and is freed on remove. The leader
 *   computes allocations (package `netplan`) and commits them as commands.
 *
 * Data plane (per node, derived from the state by a pure function):
 * - Attachment: for each network that has a subnet on a node, the node's
 *   agent makes one Docker bridge network named `shoal-<network>` with exactly
 *   that subnet (gateway = first address, Docker's masquerade on). A docker
 *   task joins the Docker network of each of its shoal networks (the first is
 *   its primary) and gets `--dns <DNS address>`; Docker's embedded resolver in
 *   the container forwards every name it does not own to shoal's DNS server.
 *   The task's address on each network is reported in `TaskStatus.addresses`.
 *   Networks on one node are separate bridges, so Docker keeps them apart;
 *   across nodes the node's nftables rules keep them apart.
 * - Routing: per-node container subnets are routed over one VXLAN device per
 *   node (`shoal.vx`), flannel style, so nodes may sit on different L3
 *   networks as long as their underlay addresses reach each other on UDP 8472.
 * - Rules: one nftables table `ip shoal` owned by the agent, replaced
 *   atomically (`nft -f`) on each change: VIP -> healthy endpoints (DNAT,
 *   every port), published ingress ports on every node, network isolation.
 *   Docker's FORWARD policy is DROP, so the agent adds exactly one rule to
 *   Docker's documented user hook (`DOCKER-USER`): accept packets shoal's
 *   table marked.
 * - DNS: each agent serves DNS (UDP and TCP) on the cluster DNS address (the
 *   last usable address of the VIP range, 10.210.255.254 by default, bound to a
 *   loopback device of every node), answering `<service>`, `<stack>_<service>`,
 *   aliases and `tasks.<service>` for the networks the asking task is on, and
 *   forwarding every other name to the host's resolvers.
 * - Exec tasks run in the node's namespace: they reach VIPs through the output
 *   hook and get `SHOAL_DNS` and `SHOAL_SERVICE_<NAME>_ADDR` in their env.
 */
import type { NodeId } from './ids.js';

/** The network a service joins when its spec names none. */
export const DEFAULT_NETWORK = 'default';

export interface NetworkRanges {
  /** Virtual IPs of services (and the DNS address at its top). */
  vipRange: string;
  /** Container subnets of (network, node) pairs; its last /24 holds node overlay addresses. */
  subnetPool: string;
  /** Prefix length of one (network, node) subnet. */
  subnetPrefix: number;
}

export const DEFAULT_NETWORK_RANGES: NetworkRanges = {
  vipRange: '10.210.0.0/16',
  subnetPool: '10.211.0.0/16',
  subnetPrefix: 24,
};

export interface Network {
  id: string;
  name: string;
  /** Made by `shoal network create`: kept while no service uses it. */
  explicit: boolean;
  /** Container subnet (CIDR) of this network on each node. */
  subnets: Record<NodeId, string>;
  labels: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** A node's address on the overlay (its VXLAN device). */
export interface NodeOverlay {
  nodeId: NodeId;
  address: string;
}

/** The networks a spec joins, in order (the first is the primary one). */
export function specNetworks(spec: { networks?: { name: string; aliases?: string[] }[] }): { name: string; aliases: string[] }[] {
  const nets = spec.networks ?? [];
  if (nets.length === 0) return [{ name: DEFAULT_NETWORK, aliases: [] }];
  return nets.map((n) => ({ name: n.name, aliases: n.aliases ?? [] }));
}
