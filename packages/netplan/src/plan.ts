/**
 * What the leader should commit so the networking allocations match the
 * services and nodes: networks on first reference (and their removal when
 * unreferenced), a subnet per (network, node), an overlay address per node,
 * a VIP per vip-mode service. Pure: the same view gives the same commands.
 */
import { specNetworks } from '@shoal/types';
import type { ClusterView, Command } from '@shoal/state';
import { allocateOverlay, allocateSubnet, allocateVip } from './allocator.js';
import { parseRanges, rangesOf } from './ranges.js';

export interface NetworkPlan {
  commands: Command[];
  /** Allocations that could not be made (a range is full), for the log. */
  problems: string[];
}

export function planNetworking(view: ClusterView, newId: () => string, at: number): NetworkPlan {
  const r = parseRanges(rangesOf(view.config()));
  const commands: Command[] = [];
  const problems: string[] = [];
  const nodeIds = view.nodes().map((n) => n.id);
  const nodeSet = new Set(nodeIds);
  const services = view.services();

  const referenced = new Set<string>();
  for (const s of services) for (const n of specNetworks(s.spec)) referenced.add(n.name);

  // Frees first, so their space can be reused in the same pass.
  const subnetsTaken: string[] = [];
  for (const net of view.networks()) {
    if (!net.explicit && !referenced.has(net.name)) {
      commands.push({ type: 'network.remove', at, networkId: net.id });
      continue;
    }
    const gone: Record<string, null> = {};
    for (const [nodeId, cidr] of Object.entries(net.subnets)) {
      if (nodeSet.has(nodeId)) subnetsTaken.push(cidr);
      else gone[nodeId] = null;
    }
    if (Object.keys(gone).length > 0) commands.push({ type: 'network.subnets', at, networkId: net.id, subnets: gone });
  }

  const overlays = view.overlays();
  const overlayChanges: Record<string, string | null> = {};
  for (const nodeId of overlays.keys()) if (!nodeSet.has(nodeId)) overlayChanges[nodeId] = null;
  const overlayTaken = new Set([...overlays].filter(([id]) => nodeSet.has(id)).map(([, a]) => a));
  const without = nodeIds.filter((id) => !overlays.has(id));
  for (const [k, nodeId] of without.entries()) {
    const addr = allocateOverlay(r, overlayTaken);
    if (addr === undefined) {
      // Full for one is full for all the rest: trying each (every pass) cost O(nodes x pool) at 1,000 nodes.
      const rest = without.length - k;
      problems.push(`no overlay address left for node ${nodeId}${rest > 1 ? ` and ${rest - 1} more` : ''}: the last /24 of the subnet pool is full`);
      break;
    }
    overlayTaken.add(addr);
    overlayChanges[nodeId] = addr;
  }
  if (Object.keys(overlayChanges).length > 0) commands.push({ type: 'node.overlay', at, overlays: overlayChanges });

  const fill = (name: string, existing: Record<string, string>): Record<string, string> => {
    const add: Record<string, string> = {};
    for (const nodeId of nodeIds) {
      if (existing[nodeId] !== undefined) continue;
      const cidr = allocateSubnet(r, subnetsTaken);
      if (cidr === undefined) {
        problems.push(`no subnet left in the pool for network ${name} on node ${nodeId}`);
        break;
      }
      subnetsTaken.push(cidr);
      add[nodeId] = cidr;
    }
    return add;
  };

  for (const net of view.networks()) {
    if (!net.explicit && !referenced.has(net.name)) continue;
    const add = fill(net.name, net.subnets);
    if (Object.keys(add).length > 0) commands.push({ type: 'network.subnets', at, networkId: net.id, subnets: add });
  }
  for (const name of [...referenced].sort()) {
    if (view.network(name)) continue;
    commands.push({ type: 'network.create', at, networkId: newId(), name, explicit: false, subnets: fill(name, {}) });
  }

  const vipTaken = new Set(services.flatMap((s) => (s.vip ? [s.vip] : [])));
  const vips: Record<string, string | null> = {};
  for (const s of services) {
    const wants = (s.spec.endpointMode ?? 'vip') === 'vip';
    if (wants && s.vip === undefined) {
      const vip = allocateVip(r, vipTaken);
      if (vip === undefined) {
        problems.push(`no virtual IP left in ${rangesOf(view.config()).vipRange} for service ${s.spec.name}`);
        continue;
      }
      vipTaken.add(vip);
      vips[s.id] = vip;
    } else if (!wants && s.vip !== undefined) {
      vips[s.id] = null;
    }
  }
  if (Object.keys(vips).length > 0) commands.push({ type: 'service.vip', at, vips });
  return { commands, problems };
}
