/**
 * Address allocation, pure: given what is taken, the lowest free address or
 * block. Lowest-free keeps allocations dense and deterministic (the same
 * state gives the same answer on any leader); a freed address is reused.
 */
import { cidrSize, cidrsOverlap, formatCidr, formatIpv4, parseCidr, parseIpv4, type Cidr } from '@shoal/types';
import type { ParsedRanges } from './ranges.js';

/** Lowest free VIP (network address, DNS address and broadcast excluded), or undefined when the range is full. */
export function allocateVip(r: ParsedRanges, taken: ReadonlySet<string>): string | undefined {
  const dns = parseIpv4(r.dns);
  const last = r.vip.base + cidrSize(r.vip) - 2;
  for (let ip = r.vip.base + 1; ip <= last; ip++) {
    if (ip === dns) continue;
    const text = formatIpv4(ip);
    if (!taken.has(text)) return text;
  }
  return undefined;
}

/** Lowest free overlay (VXLAN device) address in the pool's reserved last /24. */
export function allocateOverlay(r: ParsedRanges, taken: ReadonlySet<string>): string | undefined {
  const last = r.overlay.base + cidrSize(r.overlay) - 2;
  for (let ip = r.overlay.base + 1; ip <= last; ip++) {
    const text = formatIpv4(ip);
    if (!taken.has(text)) return text;
  }
  return undefined;
}

/** Lowest free (network, node) subnet of the pool that overlaps no taken block and not the overlay block. */
export function allocateSubnet(r: ParsedRanges, taken: readonly string[]): string | undefined {
  const used: Cidr[] = taken.flatMap((t) => {
    try {
      return [parseCidr(t)];
    } catch {
      return [];
    }
  });
  const step = 2 ** (32 - r.subnetPrefix);
  const end = r.pool.base + cidrSize(r.pool);
  for (let base = r.pool.base; base + step <= end; base += step) {
    const c = { base, prefix: r.subnetPrefix };
    if (cidrsOverlap(c, r.overlay)) continue;
    if (used.some((u) => cidrsOverlap(u, c))) continue;
    return formatCidr(c);
  }
  return undefined;
}
