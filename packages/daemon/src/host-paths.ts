/**
 * Tells the scheduler which bind sources exist on this node. After each
 * applied batch (and every few seconds, to notice a directory an operator
 * created or removed) the node checks the bind sources of the cluster's
 * Docker services against its own filesystem and, when the answer changed,
 * proposes `node.update { hostPaths }`. The scheduler's hostPaths filter then
 * places a task only on nodes that have every path it binds, with the
 * missing path as the reason elsewhere.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { MAX_HOST_PATHS, bindSources } from '@shoal/types';
import type { ClusterState, Command, CommandResult } from '@shoal/state';

export interface HostPathsHost {
  readonly state: ClusterState;
  readonly selfId: string;
  readonly log: Logger;
  propose(cmd: Command): Promise<{ result: CommandResult }>;
}

/** How often paths are checked again without a state change. */
const RECHECK_MS = 5000;

/** Every bind source of the cluster's services, sorted, at most MAX_HOST_PATHS. */
export function wantedHostPaths(state: ClusterState): string[] {
  const all = new Set<string>();
  for (const svc of state.services()) for (const p of bindSources(svc.spec)) all.add(p);
  return [...all].sort().slice(0, MAX_HOST_PATHS);
}

export class HostPathReporter {
  private timer: NodeJS.Timeout | undefined;
  private queued = false;
  private proposing = false;

  constructor(
    private readonly rt: HostPathsHost,
    private readonly exists: (path: string) => boolean = existsSync,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), RECHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Coalesces the checks of one batch of applies. */
  afterApply(): void {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.check();
    });
  }

  /** Proposes this node's list when it differs from the replicated one. */
  check(): void {
    const self = this.rt.state.node(this.rt.selfId);
    if (!self || this.proposing) return;
    const have = wantedHostPaths(this.rt.state).filter((p) => this.exists(p));
    const known = self.hostPaths ?? [];
    if (have.length === known.length && have.every((p, i) => p === known[i])) return;
    this.proposing = true;
    this.rt
      .propose({ type: 'node.update', at: Date.now(), nodeId: this.rt.selfId, hostPaths: have })
      .then(({ result }) => {
        if (!result.ok) this.rt.log.warn({ code: result.error.code, reason: result.error.message }, 'bind source report refused');
      })
      .catch((err) => this.rt.log.warn({ err: String(err) }, 'could not report the bind sources this node has; retrying'))
      .finally(() => (this.proposing = false));
  }
}
