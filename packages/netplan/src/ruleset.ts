/**
 * A node's nftables ruleset as text: a pure function of the state and the
 * node, so every node derives its rules the same way and a restarted agent
 * converges to exactly what it had. The agent loads it with `nft -f` as one
 * transaction (see `atomicScript`), replacing the whole `ip shoal` table.
 *
 * - VIPs: a connection to `VIP:any-port` from a task on one of the service's
 *   networks (or from a process on the node) is DNATed to one healthy task,
 *   chosen at random (kube-proxy's nftables mode: numgen + per-endpoint chains).
 * - Ingress: a published port in ingress mode answers on every local address
 *   of every node, DNATed to a healthy task wherever it runs.
 * - Connections shoal NATs carry a conntrack mark; they are masqueraded (so
 *   replies come back through this node) and marked for Docker's DOCKER-USER
 *   accept rule (Docker's FORWARD policy is DROP).
 * - Isolation: a task may open connections only to task addresses of the
 *   networks it shares; a VIP is only DNATed for sources on its networks.
 * - A new connection finds its service by one map lookup (`ip daddr vmap`,
 *   `meta l4proto . th dport vmap`), not by walking a rule per service, so
 *   the cost of the first packet does not grow with the number of services
 *   (kube-proxy's nftables mode does the same).
 */
import { formatCidr, specNetworks, type Service } from '@shoal/types';
import type { ClusterView } from '@shoal/state';
import { endpointsOf, type Endpoint } from './endpoints.js';
import { BRIDGE_PREFIX, NFT_TABLE, OVERLAY_DEVICE, SHOAL_MARK } from './names.js';
import { parseRanges, rangesOf } from './ranges.js';

const MARK = `0x${SHOAL_MARK.toString(16).padStart(8, '0')}`;

function shortId(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
}

function set(items: readonly string[]): string {
  return `{ ${items.join(', ')} }`;
}

/** The chain that spreads over endpoints: a goto for one, numgen over several. */
function balance(lines: string[], chain: string, targets: string[], protocol?: 'tcp' | 'udp'): void {
  lines.push(`\tchain ${chain} {`);
  lines.push(`\t\tct mark set ${MARK}`);
  if (targets.length === 1) lines.push(`\t\tgoto ${chain}_0`);
  else lines.push(`\t\tnumgen random mod ${targets.length} vmap ${set(targets.map((_, i) => `${i} : goto ${chain}_${i}`))}`);
  lines.push('\t}');
  targets.forEach((t, i) => lines.push(`\tchain ${chain}_${i} {`, `\t\t${protocol ? `meta l4proto ${protocol} ` : ''}dnat to ${t}`, '\t}'));
}

interface IngressPort {
  protocol: 'tcp' | 'udp';
  published: number;
  target: number;
  service: Service;
}

/** The `table ip shoal { ... }` text for `nodeId` (the node only matters through what it has locally). */
export function renderRuleset(view: ClusterView, nodeId: string): string {
  void nodeId; // Every node programs the same VIPs and ingress ports; kept for the day rules differ per node.
  const r = parseRanges(rangesOf(view.config()));
  const vipRange = formatCidr(r.vip);
  const pool = formatCidr(r.pool);
  const networks = [...view.networks()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const subnetsOf = new Map(networks.map((n) => [n.name, Object.values(n.subnets).sort()]));
  const services = [...view.services()].sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));

  const chains: string[] = [];
  const vipFromTasks: string[] = [];
  const vipFromHost: string[] = [];
  const endpointCache = new Map<string, Endpoint[]>();
  const eps = (s: Service) => {
    let e = endpointCache.get(s.id);
    if (!e) endpointCache.set(s.id, (e = endpointsOf(view, s)));
    return e;
  };

  for (const s of services) {
    if (s.vip === undefined || (s.spec.endpointMode ?? 'vip') !== 'vip') continue;
    const e = eps(s);
    if (e.length === 0) continue;
    const chain = `svc_${shortId(s.id)}`;
    const sources = specNetworks(s.spec).flatMap((n) => subnetsOf.get(n.name) ?? []);
    if (sources.length > 0) {
      vipFromTasks.push(`${s.vip} : jump from_${chain}`);
      chains.push(`\tchain from_${chain} {`, `\t\tip saddr ${set(sources)} goto ${chain}`, '\t}');
    }
    vipFromHost.push(`${s.vip} : jump ${chain}`);
    balance(chains, chain, e.map((x) => x.address));
  }

  const ingress: IngressPort[] = [];
  for (const s of services) {
    for (const p of s.spec.ports ?? []) {
      if ((p.mode ?? 'ingress') !== 'ingress') continue;
      ingress.push({ protocol: p.protocol ?? 'tcp', published: p.published, target: p.target, service: s });
    }
  }
  ingress.sort((a, b) => a.published - b.published || (a.protocol < b.protocol ? -1 : 1));
  const ingressRules: string[] = [];
  const seenPorts = new Set<string>();
  for (const p of ingress) {
    const key = `${p.protocol}_${p.published}`;
    if (seenPorts.has(key)) continue; // Two services claiming one ingress port: the first by name wins.
    seenPorts.add(key);
    const e = eps(p.service);
    if (e.length === 0) continue;
    const chain = `ing_${key}`;
    ingressRules.push(`${p.protocol} . ${p.published} : jump ${chain}`);
    balance(chains, chain, e.map((x) => `${x.address}:${p.target}`), p.protocol);
  }

  const isolate: string[] = [];
  for (const n of networks) {
    const subnets = subnetsOf.get(n.name) ?? [];
    if (subnets.length > 0) isolate.push(`\t\tip saddr ${set(subnets)} ip daddr ${set(subnets)} meta mark set ${MARK} accept`);
  }

  const vmap = (match: string, entries: string[]) => (entries.length === 0 ? [] : [`\t\t${match} vmap ${set(entries)}`]);
  const ingressMap = vmap('fib daddr type local meta l4proto . th dport', ingressRules);
  const lines: string[] = [`table ip ${NFT_TABLE} {`];
  lines.push('\tchain prerouting {', '\t\ttype nat hook prerouting priority -110; policy accept;', ...vmap('ip daddr', vipFromTasks), ...ingressMap, '\t}');
  lines.push(
    '\tchain output {',
    '\t\ttype nat hook output priority -110; policy accept;',
    ...vmap('ip daddr', vipFromHost),
    // localhost too (as Swarm's mesh): the agent sets route_localnet so 127.0.0.1 may be DNATed out, and masquerade fixes the source.
    ...ingressMap,
    '\t}',
  );
  lines.push('\tchain postrouting {', '\t\ttype nat hook postrouting priority 90; policy accept;', `\t\tct mark ${MARK} masquerade`, '\t}');
  lines.push(
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter - 10; policy accept;',
    `\t\toifname "${OVERLAY_DEVICE}" tcp flags syn tcp option maxseg size set rt mtu`,
    `\t\tct mark ${MARK} meta mark set ${MARK} accept`,
    `\t\tiifname "${OVERLAY_DEVICE}" meta mark set ${MARK} accept`,
    // Replies (to masqueraded VIP/ingress traffic, whose source is a node's overlay address) and traffic to nodes pass.
    '\t\tct state established,related accept',
    `\t\tip daddr ${vipRange} reject with icmp type host-unreachable`,
    `\t\tip daddr ${formatCidr(r.overlay)} accept`,
    `\t\tiifname "${BRIDGE_PREFIX}*" ip daddr ${pool} jump isolate`,
    '\t}',
  );
  lines.push('\tchain isolate {', ...isolate, '\t\treject with icmp type admin-prohibited', '\t}');
  lines.push(
    '\tchain host_out {',
    '\t\ttype filter hook output priority filter - 10; policy accept;',
    `\t\tip daddr ${vipRange} ip daddr != ${r.dns} reject with icmp type host-unreachable`,
    '\t}',
  );
  lines.push(...chains, '}');
  return lines.join('\n') + '\n';
}

/** The text `nft -f` applies as one transaction: create-or-keep, delete, recreate. */
export function atomicScript(ruleset: string): string {
  return `table ip ${NFT_TABLE}\ndelete table ip ${NFT_TABLE}\n${ruleset}`;
}
