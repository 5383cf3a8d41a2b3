/**
 * A node's links: its VXLAN device and address, the routes to every other
 * node's container subnets over it, and the Docker bridge networks it should
 * have. The agent turns this into `ip`, `bridge` and Docker calls.
 */
import type { NodeId } from '@shoal/types';
import type { ClusterView } from '@shoal/state';
import { bridgeName, dockerNetworkName, gatewayOf, overlayMac, underlayAddress } from './names.js';
import { formatCidr } from '@shoal/types';
import { parseRanges, rangesOf } from './ranges.js';

export interface LocalNetwork {
  network: string;
  networkId: string;
  subnet: string;
  gateway: string;
  dockerName: string;
  bridge: string;
}

export interface Peer {
  nodeId: NodeId;
  underlay: string;
  overlay: string;
  mac: string;
  subnets: string[];
}

export interface LinkPlan {
  /** This node's overlay address with the overlay block's prefix, e.g. 10.211.255.1/24; undefined until allocated. */
  overlay?: { address: string; cidr: string; mac: string };
  peers: Peer[];
  local: LocalNetwork[];
  dns: string;
  /** The VIP range: routed to the node itself so a VIP always has a route before the NAT hooks rewrite it. */
  vipRange: string;
}

export function planLinks(view: ClusterView, nodeId: NodeId): LinkPlan {
  const r = parseRanges(rangesOf(view.config()));
  const overlays = view.overlays();
  const mine = overlays.get(nodeId);
  const local: LocalNetwork[] = [];
  const remote = new Map<NodeId, string[]>();
  for (const net of [...view.networks()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const [owner, subnet] of Object.entries(net.subnets)) {
      if (owner === nodeId) {
        local.push({ network: net.name, networkId: net.id, subnet, gateway: gatewayOf(subnet), dockerName: dockerNetworkName(net.name), bridge: bridgeName(net) });
      } else {
        remote.set(owner, [...(remote.get(owner) ?? []), subnet]);
      }
    }
  }
  const peers: Peer[] = [];
  for (const node of view.nodes()) {
    if (node.id === nodeId) continue;
    const overlay = overlays.get(node.id);
    const underlay = underlayAddress(node.addresses);
    if (overlay === undefined || underlay === undefined) continue;
    peers.push({ nodeId: node.id, underlay, overlay, mac: overlayMac(overlay), subnets: (remote.get(node.id) ?? []).sort() });
  }
  peers.sort((a, b) => (a.overlay < b.overlay ? -1 : 1));
  const prefix = r.overlay.prefix;
  return {
    ...(mine !== undefined ? { overlay: { address: mine, cidr: `${mine}/${prefix}`, mac: overlayMac(mine) } } : {}),
    peers,
    local,
    dns: r.dns,
    vipRange: formatCidr(r.vip),
  };
}
