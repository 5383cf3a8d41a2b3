/**
 * Which connection-tracking entries to drop when a backend leaves the rules.
 *
 * The kernel keeps the DNAT decision of a connection in its conntrack entry,
 * so replacing the ruleset does not move flows that already picked a
 * backend: a client's SYN retransmits, or a new connection that reuses a
 * source port while the old entry waits out its 120 s SYN_SENT timeout, keep
 * going to the removed address. kube-proxy deletes such entries for the
 * same reason. Two cases:
 * - the backend's node is down (or gone): nothing answers there, so every
 *   flow to it goes. A mid-stream packet then meets a live backend, which
 *   answers with a reset: the client fails at once instead of hanging;
 * - otherwise (a task stopping, unhealthy, moved): established connections
 *   finish on the draining task; only flows that never got an answer go
 *   (TCP SYN_SENT, and UDP, which has no connection to finish).
 */
import type { ClusterView } from '@shoal/state';
import { endpointsOf } from './endpoints.js';

export interface StaleFlows {
  /** The removed backend's address (the reply source of its flows). */
  address: string;
  /** Every flow to it (its node is down), or only unanswered ones. */
  everyFlow: boolean;
}

/** Address -> node of every serving endpoint in the cluster (what the rules balance over). */
export function backendAddresses(view: ClusterView): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of view.services()) for (const e of endpointsOf(view, s)) out.set(e.address, e.nodeId);
  return out;
}

/** The backends in `before` that `after` no longer has, in address order. */
export function staleFlows(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, view: ClusterView): StaleFlows[] {
  const out: StaleFlows[] = [];
  for (const [address, nodeId] of before) {
    if (after.has(address)) continue;
    const node = view.node(nodeId);
    out.push({ address, everyFlow: node === undefined || node.status === 'down' });
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** The `conntrack` invocations that delete the flows (each may find none, which the caller ignores). */
export function conntrackDeletes(f: StaleFlows): string[][] {
  if (f.everyFlow) return [['-D', '--reply-src', f.address]];
  return [
    ['-D', '-p', 'tcp', '--state', 'SYN_SENT', '--reply-src', f.address],
    ['-D', '-p', 'udp', '--reply-src', f.address],
  ];
}
