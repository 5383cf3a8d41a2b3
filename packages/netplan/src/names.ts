/** Names of objects on a node's data plane, shared by the ruleset, the link plan and the agent. */
import { formatIpv4, parseIpv4, type Network } from '@shoal/types';

/** The per-node VXLAN device. */
export const OVERLAY_DEVICE = 'shoal.vx';
/** The device that holds the cluster DNS address (as a /32). */
export const DNS_DEVICE = 'lo';
export const VXLAN_ID = 4210;
export const VXLAN_PORT = 8472;
/** Inner MTU: 1500 minus VXLAN's 50 bytes. */
export const OVERLAY_MTU = 1450;
/** nftables table owned by the agent. */
export const NFT_TABLE = 'shoal';
/** Packet/conntrack mark of traffic shoal accepts; Docker's DOCKER-USER chain accepts it. */
export const SHOAL_MARK = 0x5a01;
/** Bridge device names start with this (Docker option com.docker.network.bridge.name). */
export const BRIDGE_PREFIX = 'shb-';

export function dockerNetworkName(network: string): string {
  return `shoal-${network}`;
}

export function bridgeName(net: Pick<Network, 'id'>): string {
  return `${BRIDGE_PREFIX}${net.id.replace(/[^a-z0-9]/gi, '').slice(0, 11).toLowerCase()}`;
}

/** Deterministic MAC of a node's VXLAN device, from its overlay address (locally administered). */
export function overlayMac(address: string): string {
  const ip = parseIpv4(address) ?? 0;
  return ['02', '5a', ...[ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** The gateway (first address) of a subnet. */
export function gatewayOf(cidr: string): string {
  const [base] = cidr.split('/');
  return formatIpv4((parseIpv4(base ?? '') ?? 0) + 1);
}

/** The IPv4 address in a libp2p multiaddr list that other nodes should use (first non-loopback /ip4). */
export function underlayAddress(multiaddrs: readonly string[]): string | undefined {
  for (const m of multiaddrs) {
    const hit = /^\/ip4\/(\d+\.\d+\.\d+\.\d+)\//.exec(m);
    if (hit && !hit[1]!.startsWith('127.') && hit[1] !== '0.0.0.0') return hit[1];
  }
  return undefined;
}
