/**
 * The leader's last word before it commits `node.down`: gossip may say a
 * node is dead, but the leader checks it itself (a direct ping plus k
 * indirect ones, `Swim.check`). To keep that off the detection path, the
 * check starts as soon as the node is *suspect*; a `dead` that arrives with
 * a fresh unreachable verdict commits at once. Any sign of life (alive
 * again, or a check answered) cancels.
 */
import type { CheckResult, MemberEvent } from './swim.js';

export type ConfirmAction = { kind: 'check'; nodeId: string } | { kind: 'commit-down'; nodeId: string };

export class DownConfirmer {
  /** Latest unreachable verdict per node (local time), valid for freshMs. */
  private readonly unreachableAt = new Map<string, number>();
  private readonly checking = new Set<string>();
  private readonly dead = new Set<string>();

  constructor(
    private readonly now: () => number,
    private readonly freshMs = 2_000,
  ) {}

  onEvent(e: MemberEvent): ConfirmAction[] {
    if (e.to === 'alive') {
      this.dead.delete(e.nodeId);
      this.unreachableAt.delete(e.nodeId);
      return [];
    }
    if (e.to === 'suspect') return this.startCheck(e.nodeId);
    this.dead.add(e.nodeId);
    const at = this.unreachableAt.get(e.nodeId);
    if (at !== undefined && this.now() - at <= this.freshMs) return this.commit(e.nodeId);
    return this.startCheck(e.nodeId);
  }

  onCheck(r: CheckResult): ConfirmAction[] {
    this.checking.delete(r.nodeId);
    if (r.reachable) {
      this.unreachableAt.delete(r.nodeId);
      return [];
    }
    this.unreachableAt.set(r.nodeId, this.now());
    return this.dead.has(r.nodeId) ? this.commit(r.nodeId) : [];
  }

  private startCheck(nodeId: string): ConfirmAction[] {
    if (this.checking.has(nodeId)) return [];
    this.checking.add(nodeId);
    return [{ kind: 'check', nodeId }];
  }

  private commit(nodeId: string): ConfirmAction[] {
    this.dead.delete(nodeId);
    this.unreachableAt.delete(nodeId);
    return [{ kind: 'commit-down', nodeId }];
  }
}
