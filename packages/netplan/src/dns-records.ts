/**
 * The names tasks resolve, per network. A query is answered from the
 * networks of the asking address (found by the subnet it comes from), so two
 * stacks' `db` never see each other. Computed from the local replica on
 * demand, so an answer follows the state as soon as it is applied.
 */
import { cidrContains, parseCidr, parseIpv4, specNetworks, type Cidr, type Service } from '@shoal/types';
import type { ClusterView } from '@shoal/state';
import { endpointsOf } from './endpoints.js';

export const STACK_LABEL = 'shoal.stack';

/** Every name of a service on a network: full name, name within its stack, aliases. */
export function serviceNames(s: Service, network: string): string[] {
  const names = new Set<string>([s.spec.name]);
  const stack = s.spec.labels?.[STACK_LABEL];
  if (stack !== undefined && s.spec.name.startsWith(`${stack}_`)) names.add(s.spec.name.slice(stack.length + 1));
  for (const n of specNetworks(s.spec)) if (n.name === network) for (const a of n.aliases) names.add(a.toLowerCase());
  return [...names];
}

/** name -> addresses, for one network. */
export type NameTable = Map<string, string[]>;

export function namesOnNetwork(view: ClusterView, network: string): NameTable {
  const table: NameTable = new Map();
  const add = (name: string, addrs: string[]) => table.set(name, [...new Set([...(table.get(name) ?? []), ...addrs])]);
  for (const s of view.services()) {
    if (!specNetworks(s.spec).some((n) => n.name === network)) continue;
    const tasks = endpointsOf(view, s, network).map((e) => e.address);
    const vip = (s.spec.endpointMode ?? 'vip') === 'vip' ? s.vip : undefined;
    for (const name of serviceNames(s, network)) {
      add(name, vip !== undefined ? [vip] : tasks);
      add(`tasks.${name}`, tasks);
    }
  }
  return table;
}

/** The networks whose subnet (on any node) holds `source`. */
export function networksOfSource(view: ClusterView, source: string): string[] {
  const ip = parseIpv4(source);
  if (ip === undefined) return [];
  const out: string[] = [];
  for (const net of view.networks()) {
    for (const cidr of Object.values(net.subnets)) {
      let c: Cidr;
      try {
        c = parseCidr(cidr);
      } catch {
        continue;
      }
      if (cidrContains(c, ip)) {
        out.push(net.name);
        break;
      }
    }
  }
  return out;
}

export type Lookup = { found: true; addresses: string[] } | { found: false };

/**
 * Answers `name` for a client at `source`. `found: true` with no addresses is
 * a name shoal owns that has no healthy task now (NOERROR, no records), so it
 * is not forwarded upstream. Unknown names are `found: false` (forward them).
 * `networks` overrides the source lookup (exec tasks on the host).
 */
export function lookup(view: ClusterView, source: string, name: string, networks?: readonly string[]): Lookup {
  const q = name.toLowerCase().replace(/\.$/, '');
  const nets = networks ?? networksOfSource(view, source);
  let found = false;
  const addrs: string[] = [];
  for (const n of nets) {
    const hit = namesOnNetwork(view, n).get(q);
    if (hit !== undefined) {
      found = true;
      addrs.push(...hit);
    }
  }
  return found ? { found: true, addresses: [...new Set(addrs)] } : { found: false };
}
