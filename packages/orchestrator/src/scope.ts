/**
 * What changed since the leader's last pass, so the next pass looks only
 * there: the leader's work per event grows with the size of the change,
 * not with the cluster. A converged 100,000-task cluster costs a status
 * report the reconcile of one service, not a scan of every task.
 *
 * The tracker is fed every applied command (with its result) and hands out
 * a ReconcileScope; `undefined` means "look at everything" (a new leader,
 * a command whose reach it cannot bound, or too many changes to list).
 */
import { applySpecDefaults, isTerminalTaskState } from '@shoal/types';
import type { ClusterView, Command, CommandResult } from '@shoal/state';
import { UsageLedger } from '@shoal/scheduler';

export interface ReconcileScope {
  /** Services to reconcile (their tasks included). */
  services: ReadonlySet<string>;
  /** Nodes whose tasks must be looked at (a node went down, was drained, removed...). */
  nodes: ReadonlySet<string>;
  /** Capacity may have been freed or added (a task ended, a node changed): retry every waiting task. */
  capacity: boolean;
  /** What placed tasks hold per node, up to date with the view: a placement then reads only the services it places. */
  usage?: UsageLedger;
}

/** Commands that touch nothing the orchestrator reads (credentials, secrets, networking). */
const IRRELEVANT = new Set<Command['type']>([
  'token.set',
  'allowlist.add',
  'allowlist.remove',
  'secret.create',
  'secret.remove',
  'secret.grant',
  'secretstore.key',
  'secretstore.share',
  'apitoken.create',
  'apitoken.revoke',
  'nodetoken.set',
  'network.create',
  'network.subnets',
  'network.remove',
  'node.overlay',
  'service.vip',
]);

/** Past this many dirty services or remembered tasks, a full pass is cheaper than the bookkeeping. */
const MAX_TRACKED = 100_000;

export class ReconcileTracker {
  private full = true;
  private services = new Set<string>();
  private nodes = new Set<string>();
  private capacity = false;
  /** Tasks told to go, by id -> service: a task.remove no longer finds them in the state. */
  private readonly leaving = new Map<string, string>();
  private readonly usage = new UsageLedger();

  /** Look at everything next time (a new leader, a restored snapshot). */
  markFull(): void {
    this.full = true;
  }

  /** Call after every applied command, in log order. */
  observe(cmd: Command, result: CommandResult, view: ClusterView): void {
    if (this.full || IRRELEVANT.has(cmd.type)) return;
    // A refused command changed nothing (batch commands report skips inside an ok result).
    if (!result.ok) return;
    switch (cmd.type) {
      case 'task.create':
        for (const t of cmd.tasks) this.task(t.id, view);
        return;
      case 'task.assign':
        for (const a of cmd.assignments) this.task(a.taskId, view);
        for (const p of cmd.pending ?? []) this.task(p.taskId, view);
        return;
      case 'task.status':
        for (const u of cmd.updates) {
          this.task(u.taskId, view);
          if (isTerminalTaskState(u.status.state)) this.capacity = true;
        }
        return;
      case 'task.desired':
        for (const c of cmd.changes) {
          const t = view.task(c.taskId);
          if (t && c.desiredState === 'remove') this.remember(t.id, t.serviceId);
          this.task(c.taskId, view);
        }
        return;
      case 'task.remove':
        this.capacity = true;
        for (const id of cmd.taskIds) {
          this.usage.update(id, undefined);
          const service = this.leaving.get(id);
          this.leaving.delete(id);
          if (service === undefined) return this.markFull();
          this.service(service);
        }
        return;
      case 'task.restart':
        this.capacity = true;
        this.task(cmd.taskId, view);
        this.task(cmd.newTaskId, view);
        return;
      case 'node.register':
        return this.node(cmd.node.id, view);
      case 'node.update':
      case 'node.availability':
      case 'node.labels':
      case 'node.remove':
      case 'node.down':
      case 'node.up':
      case 'node.role':
      case 'node.pressure':
        return this.node(cmd.nodeId, view);
      case 'service.create':
      case 'service.update':
      case 'service.scale':
      case 'service.rollback':
      case 'service.remove':
      case 'service.promote':
      case 'service.jobRun':
      case 'service.updateStatus':
      case 'service.rebalance': {
        const s = view.service(cmd.serviceId);
        // A removed service named by its name cannot be found any more: look at everything once.
        if (!s && cmd.type === 'service.remove' && !view.tasksByService(cmd.serviceId).length) return this.markFull();
        const id = s?.id ?? cmd.serviceId;
        // Removing a service tells its tasks to go in the same entry; their task.remove comes later.
        if (cmd.type === 'service.remove') {
          for (const t of view.tasksByService(id)) {
            this.remember(t.id, id);
            this.usage.update(t.id, t);
          }
        }
        this.service(id);
        this.capacity = true;
        return;
      }
      default:
        return this.markFull();
    }
  }

  /** The scope of the next pass over `view`, and a fresh start; undefined = a full pass. */
  take(view: ClusterView): ReconcileScope | undefined {
    // Commands are not followed while a full pass is pending: the ledger starts over from the view.
    if (this.full) this.usage.rebuild(view.tasks());
    const scope = this.full ? undefined : { services: this.services, nodes: this.nodes, capacity: this.capacity, usage: this.usage };
    this.full = false;
    this.services = new Set();
    this.nodes = new Set();
    this.capacity = false;
    return scope;
  }

  /** Services a capped pass left for the next one (reconcile's `deferred`). */
  defer(serviceIds: Iterable<string>): void {
    for (const id of serviceIds) this.service(id);
  }

  private service(id: string): void {
    this.services.add(id);
    if (this.services.size > MAX_TRACKED) this.markFull();
  }

  private task(id: string, view: ClusterView): void {
    const t = view.task(id);
    this.usage.update(id, t);
    if (t) this.service(t.serviceId);
    else {
      // Pruned from history while applying: its service is found by what the tracker remembers, or not at all.
      const s = this.leaving.get(id);
      if (s !== undefined) this.service(s);
      else this.markFull();
    }
  }

  private remember(taskId: string, serviceId: string): void {
    if (this.leaving.size >= MAX_TRACKED) this.leaving.clear();
    this.leaving.set(taskId, serviceId);
  }

  /** A node changed: its tasks' services, services laid out per node or rebalanced across nodes, and every waiting task. */
  private node(id: string, view: ClusterView): void {
    this.nodes.add(id);
    this.capacity = true;
    for (const t of view.tasksByNode(id)) this.service(t.serviceId);
    for (const s of view.services()) {
      const spec = applySpecDefaults(s.spec);
      if (spec.mode === 'global' || spec.mode === 'global-job' || spec.rebalance === 'auto' || s.rebalanceRequestedAt !== undefined) this.service(s.id);
    }
  }
}
