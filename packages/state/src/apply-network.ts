/**
 * Service networking allocations: networks and their per-node subnets, node
 * overlay addresses, service virtual IPs. The leader computes them (package
 * netplan) and proposes them; apply only checks that an allocation is still
 * free, so two racing proposals can never hand out one address twice.
 */
import { ErrorCode, cidrContains, cidrsOverlap, parseCidr, parseIpv4, specNetworks, type Cidr, type Network } from '@shoal/types';
import { findService } from './apply-service.js';
import type { CommandOf, CommandResult } from './commands.js';
import { fail, ok } from './result.js';
import type { Store } from './store.js';

export function findNetwork(store: Store, idOrName: string): Network | undefined {
  return store.networks.get(idOrName) ?? store.networks.get(store.networkNames.get(idOrName) ?? '');
}

function cidrOrNull(text: string): Cidr | null {
  try {
    return parseCidr(text);
  } catch {
    return null;
  }
}

/** The first existing subnet or overlay address that `c` overlaps, if any (`except` = the network being changed). */
function clash(store: Store, c: Cidr, skip?: { networkId: string; nodeId: string }): string | undefined {
  for (const n of store.networks.values()) {
    for (const [nodeId, text] of Object.entries(n.subnets)) {
      if (skip && skip.networkId === n.id && skip.nodeId === nodeId) continue;
      const other = cidrOrNull(text);
      if (other && cidrsOverlap(c, other)) return `${text} of network ${n.name}`;
    }
  }
  for (const [nodeId, addr] of store.overlays) {
    const ip = parseIpv4(addr);
    if (ip !== undefined && cidrContains(c, ip)) return `overlay address ${addr} of node ${nodeId}`;
  }
  return undefined;
}

function checkSubnets(store: Store, subnets: Record<string, string | null>, networkId: string): CommandResult | undefined {
  const fresh: Cidr[] = [];
  for (const [nodeId, text] of Object.entries(subnets)) {
    if (text === null) continue;
    const c = cidrOrNull(text);
    if (!c) return fail(ErrorCode.BadMessage, `subnet "${text}" for node ${nodeId} is not a CIDR block`);
    const taken = clash(store, c, { networkId, nodeId });
    if (taken) return fail(ErrorCode.Conflict, `subnet ${text} overlaps ${taken}`);
    if (fresh.some((f) => cidrsOverlap(f, c))) return fail(ErrorCode.Conflict, `subnet ${text} is given twice in one command`);
    fresh.push(c);
  }
  return undefined;
}

export function applyNetworkCreate(store: Store, cmd: CommandOf<'network.create'>): CommandResult {
  if (store.networks.has(cmd.networkId)) return fail(ErrorCode.Conflict, `network id ${cmd.networkId} already exists`);
  if (store.networkNames.has(cmd.name)) return fail(ErrorCode.Conflict, `a network named "${cmd.name}" already exists`);
  const bad = checkSubnets(store, cmd.subnets, cmd.networkId);
  if (bad) return bad;
  store.putNetwork({ id: cmd.networkId, name: cmd.name, explicit: cmd.explicit, subnets: { ...cmd.subnets }, labels: { ...(cmd.labels ?? {}) }, createdAt: cmd.at, updatedAt: cmd.at });
  return ok({ id: cmd.networkId });
}

export function applyNetworkSubnets(store: Store, cmd: CommandOf<'network.subnets'>): CommandResult {
  const net = findNetwork(store, cmd.networkId);
  if (!net) return fail(ErrorCode.NotFound, `network ${cmd.networkId} not found`);
  const bad = checkSubnets(store, cmd.subnets, net.id);
  if (bad) return bad;
  const subnets = { ...net.subnets };
  for (const [nodeId, text] of Object.entries(cmd.subnets)) {
    if (text === null) delete subnets[nodeId];
    else subnets[nodeId] = text;
  }
  store.putNetwork({ ...net, subnets, updatedAt: cmd.at });
  return ok({ id: net.id });
}

/** Services whose spec joins the network (the default network counts for specs that name none). */
export function networkUsers(store: Store, name: string): string[] {
  const users: string[] = [];
  for (const s of store.services.values()) if (specNetworks(s.spec).some((n) => n.name === name)) users.push(s.spec.name);
  return users;
}

export function applyNetworkRemove(store: Store, cmd: CommandOf<'network.remove'>): CommandResult {
  const net = findNetwork(store, cmd.networkId);
  if (!net) return fail(ErrorCode.NotFound, `network ${cmd.networkId} not found; list networks with \`shoal network ls\``);
  const users = networkUsers(store, net.name);
  if (users.length > 0) return fail(ErrorCode.Conflict, `network ${net.name} is used by service(s) ${users.slice(0, 5).join(', ')}; remove them first`);
  store.deleteNetwork(net.id);
  return ok({ id: net.id });
}

export function applyNodeOverlay(store: Store, cmd: CommandOf<'node.overlay'>): CommandResult {
  const seen = new Set<string>();
  for (const [nodeId, addr] of Object.entries(cmd.overlays)) {
    if (addr === null) continue;
    const ip = parseIpv4(addr);
    if (ip === undefined) return fail(ErrorCode.BadMessage, `overlay address "${addr}" is not an IPv4 address`);
    if (seen.has(addr)) return fail(ErrorCode.Conflict, `overlay address ${addr} is given twice`);
    seen.add(addr);
    for (const [other, a] of store.overlays) if (a === addr && other !== nodeId) return fail(ErrorCode.Conflict, `overlay address ${addr} belongs to node ${other}`);
    const taken = clash(store, { base: ip, prefix: 32 });
    if (taken) return fail(ErrorCode.Conflict, `overlay address ${addr} lies in ${taken}`);
  }
  for (const [nodeId, addr] of Object.entries(cmd.overlays)) {
    if (addr === null) store.overlays.delete(nodeId);
    else store.overlays.set(nodeId, addr);
  }
  return ok({ applied: Object.keys(cmd.overlays).length });
}

export function applyServiceVip(store: Store, cmd: CommandOf<'service.vip'>): CommandResult {
  const skipped: { id: string; reason: string }[] = [];
  let applied = 0;
  for (const [serviceId, vip] of Object.entries(cmd.vips)) {
    const s = findService(store, serviceId);
    if (!s) {
      skipped.push({ id: serviceId, reason: 'service not found' });
      continue;
    }
    if (vip !== null) {
      if (parseIpv4(vip) === undefined) {
        skipped.push({ id: serviceId, reason: `"${vip}" is not an IPv4 address` });
        continue;
      }
      const owner = store.vips.get(vip);
      if (owner !== undefined && owner !== s.id) {
        skipped.push({ id: serviceId, reason: `VIP ${vip} belongs to another service` });
        continue;
      }
    }
    const next = { ...s };
    if (vip === null) delete next.vip;
    else next.vip = vip;
    store.putService(next);
    applied++;
  }
  return ok({ applied, skipped });
}
