/** The cluster's address ranges and the fixed addresses carved out of them. */
import { DEFAULT_NETWORK_RANGES, cidrSize, formatIpv4, parseCidr, type ClusterConfig, type Cidr, type NetworkRanges } from '@shoal/types';

export interface ParsedRanges {
  vip: Cidr;
  pool: Cidr;
  subnetPrefix: number;
  /** The pool's last /24 (or the whole pool when smaller): node overlay addresses. */
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
  const overlayPrefix = Math.max(pool.prefix, 24);
  const overlay = { base: pool.base + cidrSize(pool) - 2 ** (32 - overlayPrefix), prefix: overlayPrefix };
  return { vip, pool, subnetPrefix: r.subnetPrefix, overlay, dns: formatIpv4(vip.base + cidrSize(vip) - 2) };
}
