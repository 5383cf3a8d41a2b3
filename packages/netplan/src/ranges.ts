/** The cluster's address ranges and the fixed addresses carved out of them. */
import { DEFAULT_NETWORK_RANGES, cidrSize, formatIpv4, parseCidr, type ClusterConfig, type Cidr, type NetworkRanges } from '@shoal/types';

export interface ParsedRanges {
  vip: Cidr;
  pool: Cidr;
  subnetPrefix: number;
  /**
   * Node overlay addresses: the pool's last block with one address per
   * subnet block the pool holds (as many nodes as one network can have), at
   * least a /24 (or the whole pool when smaller). The default /16 pool of /24
   * subnets: the last /24, 254 nodes; a /12 pool: the last /20, 4,094 nodes.
   */
  overlay: Cidr;
  /** The cluster DNS address: the last usable address of the VIP range. */
  dns: string;
}

export function rangesOf(config: Pick<ClusterConfig, 'network'>): NetworkRanges {
  return { ...DEFAULT_NETWORK_RANGES, ...(config.network ?? {}) };
}

export function parseRanges(r: NetworkRanges): ParsedRanges {
  const vip = parseCidr(r.vipRange);
  const pool = parseCidr(r.subnetPool);
  const blockBits = Math.max(0, r.subnetPrefix - pool.prefix);
  const overlayPrefix = 32 - Math.min(32 - pool.prefix, Math.max(8, blockBits));
  const overlay = { base: pool.base + cidrSize(pool) - 2 ** (32 - overlayPrefix), prefix: overlayPrefix };
  return { vip, pool, subnetPrefix: r.subnetPrefix, overlay, dns: formatIpv4(vip.base + cidrSize(vip) - 2) };
}
