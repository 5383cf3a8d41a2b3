/**
 * Makes the kernel's links match a LinkPlan: the DNS address on lo, the VXLAN
 * device with this node's overlay address, and per peer a permanent
 * neighbour (overlay address -> MAC), an FDB entry (MAC -> underlay address)
 * and routes to its subnets. Idempotent; stale entries are removed, so an
 * agent restart converges to the same links.
 */
import { DNS_DEVICE, OVERLAY_DEVICE, OVERLAY_MTU, VXLAN_ID, VXLAN_PORT, type LinkPlan } from '@shoal/netplan';
import type { RunCommand } from './host-command.js';

interface JsonAddr {
  addr_info?: { local: string; prefixlen: number }[];
}

async function json<T>(run: RunCommand, file: string, args: string[]): Promise<T[]> {
  try {
    const out = await run(file, ['-j', ...args]);
    return out.trim() ? (JSON.parse(out) as T[]) : [];
  } catch {
    return [];
  }
}

async function deviceExists(run: RunCommand, dev: string): Promise<boolean> {
  return (await json<unknown>(run, 'ip', ['link', 'show', 'dev', dev])).length > 0;
}

/** `ip -batch`: many changes in one process; -force goes on past an entry that already exists. */
async function batch(run: RunCommand, lines: string[]): Promise<void> {
  if (lines.length > 0) await run('ip', ['-force', '-batch', '-'], lines.join('\n') + '\n').catch(() => undefined);
}

/** The DNS address lives on the loopback device: local to the node, reachable from every bridge (no dummy module needed). */
export async function ensureDnsDevice(run: RunCommand, dns: string, vipRange: string): Promise<void> {
  await run('ip', ['addr', 'replace', `${dns}/32`, 'dev', DNS_DEVICE]);
  // Locally generated packets to a VIP need a route before the output hook DNATs them (a node may have no default route).
  await run('ip', ['route', 'replace', vipRange, 'dev', DNS_DEVICE, 'src', dns]);
}

export async function applyLinks(run: RunCommand, plan: LinkPlan): Promise<void> {
  await ensureDnsDevice(run, plan.dns, plan.vipRange);
  if (!plan.overlay) return;
  if (!(await deviceExists(run, OVERLAY_DEVICE))) {
    await run('ip', ['link', 'add', OVERLAY_DEVICE, 'type', 'vxlan', 'id', String(VXLAN_ID), 'dstport', String(VXLAN_PORT), 'nolearning']);
  }
  const addrs = (await json<JsonAddr>(run, 'ip', ['addr', 'show', 'dev', OVERLAY_DEVICE])).flatMap((a) => a.addr_info ?? []);
  const cmds: string[] = [];
  for (const a of addrs) if (`${a.local}/${a.prefixlen}` !== plan.overlay.cidr) cmds.push(`addr del ${a.local}/${a.prefixlen} dev ${OVERLAY_DEVICE}`);
  cmds.push(`link set ${OVERLAY_DEVICE} address ${plan.overlay.mac} mtu ${OVERLAY_MTU}`, `addr replace ${plan.overlay.cidr} dev ${OVERLAY_DEVICE}`, `link set ${OVERLAY_DEVICE} up`);

  const wantNeigh = new Map(plan.peers.map((p) => [p.overlay, p.mac]));
  const wantRoutes = new Map<string, string>();
  for (const p of plan.peers) for (const s of p.subnets) wantRoutes.set(s, p.overlay);
  for (const n of await json<{ dst: string }>(run, 'ip', ['neigh', 'show', 'dev', OVERLAY_DEVICE])) {
    if (!wantNeigh.has(n.dst)) cmds.push(`neigh del ${n.dst} dev ${OVERLAY_DEVICE}`);
  }
  for (const r of await json<{ dst: string; gateway?: string }>(run, 'ip', ['route', 'show', 'dev', OVERLAY_DEVICE])) {
    if (r.gateway !== undefined && wantRoutes.get(r.dst) !== r.gateway) cmds.push(`route del ${r.dst} dev ${OVERLAY_DEVICE}`);
  }
  for (const p of plan.peers) cmds.push(`neigh replace ${p.overlay} lladdr ${p.mac} dev ${OVERLAY_DEVICE} nud permanent`);
  for (const [subnet, via] of wantRoutes) cmds.push(`route replace ${subnet} via ${via} dev ${OVERLAY_DEVICE} onlink`);
  await batch(run, cmds);

  // Forwarding entries: MAC -> the peer's underlay address, so each packet goes straight to its node.
  const wantFdb = new Map(plan.peers.map((p) => [p.mac, p.underlay]));
  const fdb = await json<{ mac: string; dst?: string }>(run, 'bridge', ['fdb', 'show', 'dev', OVERLAY_DEVICE]);
  for (const f of fdb) {
    if (f.dst !== undefined && wantFdb.get(f.mac) !== f.dst) await run('bridge', ['fdb', 'del', f.mac, 'dev', OVERLAY_DEVICE, 'dst', f.dst]).catch(() => undefined);
  }
  for (const [mac, underlay] of wantFdb) {
    if (fdb.some((f) => f.mac === mac && f.dst === underlay)) continue;
    await run('bridge', ['fdb', 'append', mac, 'dev', OVERLAY_DEVICE, 'dst', underlay]);
  }
}
