/** What must hold in the cluster state: during the run (no over-replication) and once it converged. */
import { applySpecDefaults, matchConstraint, type NodeInfo, type Service } from '@shoal/types';
import type { ClusterState } from '@shoal/state';

function runningLive(state: ClusterState, s: Service) {
  return state.tasksByService(s.id).filter((t) => t.desiredState === 'running' && t.status.state === 'running');
}

/** Checked after every reconcile: a replicated service never runs more than its replicas, plus parallelism during a start-first update. */
export function checkNoOverReplication(state: ClusterState): string[] {
  const out: string[] = [];
  for (const s of state.services()) {
    const spec = applySpecDefaults(s.spec);
    if (spec.mode !== 'replicated') continue;
    const st = s.updateStatus?.state;
    const cfg = st === 'updating' ? spec.update : st === 'rollback_started' ? spec.rollback : undefined;
    const extra = cfg && cfg.order === 'start-first' ? (cfg.parallelism === 0 ? spec.replicas! : cfg.parallelism) : 0;
    const n = runningLive(state, s).length;
    if (n > spec.replicas! + extra) out.push(`${spec.name}: ${n} running tasks, more than ${spec.replicas} replicas + ${extra}`);
  }
  return out;
}

function eligibleForGlobal(n: NodeInfo, constraints: string[]): boolean {
  return n.status === 'ready' && n.availability === 'active' && constraints.every((c) => matchConstraint(n, c));
}

export function checkConverged(state: ClusterState): string[] {
  const out: string[] = [];
  const nodes = new Map(state.nodes().map((n) => [n.id, n]));
  for (const t of state.tasks()) {
    const n = t.nodeId === undefined ? undefined : nodes.get(t.nodeId);
    if (t.status.state === 'running' && (!n || n.status !== 'ready' || n.availability === 'drain')) {
      out.push(`task ${t.id} (${t.serviceName}) runs on ${t.nodeId} which is ${n ? `${n.status}/${n.availability}` : 'gone'}`);
    }
    if (t.desiredState === 'running' && (t.status.state === 'new' || t.status.state === 'pending')) out.push(`task ${t.id} (${t.serviceName}) still ${t.status.state}: ${t.pendingReason ?? ''}`);
    if (t.desiredState === 'running' && n) {
      for (const c of t.spec.placement?.constraints ?? []) if (!matchConstraint(n, c)) out.push(`task ${t.id} (${t.serviceName}) on ${n.id} breaks ${c}`);
    }
  }
  for (const s of state.services()) {
    const spec = applySpecDefaults(s.spec);
    const st = s.updateStatus?.state;
    if (st === 'updating' || st === 'rollback_started') out.push(`${spec.name}: update still ${st}`);
    const live = state.tasksByService(s.id).filter((t) => t.desiredState === 'running');
    const running = runningLive(state, s);
    if (running.some((t) => t.spec.image !== s.spec.image)) out.push(`${spec.name}: tasks run an image other than ${s.spec.image}`);
    if (spec.mode === 'replicated') {
      const slots = new Set(running.map((t) => t.slot));
      if (running.length !== spec.replicas || live.length !== spec.replicas || slots.size !== spec.replicas) {
        out.push(`${spec.name}: ${running.length} running / ${live.length} live tasks in ${slots.size} slots, want ${spec.replicas}`);
      }
    } else {
      const want = [...nodes.values()].filter((n) => eligibleForGlobal(n, spec.placement?.constraints ?? [])).map((n) => n.id).sort();
      const have = running.map((t) => t.nodeId!).sort();
      if (want.join() !== have.join() || live.length !== want.length) out.push(`${spec.name}: runs on ${have.length} nodes (${live.length} live), want ${want.length}`);
    }
  }
  return out;
}
