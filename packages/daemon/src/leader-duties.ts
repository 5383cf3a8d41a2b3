/**
 * What only the leader does: run the orchestrator and scheduler, turn the
 * failure detector's verdicts into `node.down` / `node.up`, and keep the
 * voter set healthy (autopilot). Every node runs the failure detector all
 * the time, so a new leader acts on what it already knows: no reset timers
 * after an election.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { reconcile, ReconcileTracker } from '@shoal/orchestrator';
import type { ClusterState, Command, CommandResult } from '@shoal/state';
import { PressureTracker, describeSample, type LivenessEvent, type LivenessState, type PressureSample } from '@shoal/membership';
import type { ConfChange, ConfState } from '@shoal/raft';
import { ControlLoop } from './control-loop.js';
import { networkCommands } from './network-wiring.js';
import { planVoterChange, type MemberHealth } from './autopilot.js';

/**
 * What the leader's duties need from the node they run on, and nothing more:
 * the replicated state, a way to propose, the failure detector's verdicts,
 * Raft's view of the voter set, and a log. The ClusterRuntime provides it.
 */
export interface LeaderDutiesComponents {
  readonly selfId: string;
  readonly state: ClusterState;
  readonly log: Logger;
  propose(cmd: Command): Promise<{ result: CommandResult }>;
  /** The failure detector's current verdict on a peer. */
  liveness(nodeId: string): LivenessState | undefined;
  /** Calls back on every liveness transition of a peer. */
  onLivenessChange(cb: (ev: LivenessEvent) => void): void;
  /** The host pressure a node last reported in its heartbeat (this node's own reading for itself). */
  pressure?(nodeId: string): PressureSample | null;
  raft: {
    status(): { conf: ConfState; commit: number; progress?: Record<string, { match: number }> };
    proposeConfChange(change: ConfChange): Promise<void>;
  };
}

/** Liveness changes trigger a sweep at once; this only backs up a missed event. */
const SWEEP_MS = 1000;
const AUTOPILOT_MS = 1000;
/** A full reconcile pass at least this often, whatever the tracker says: a backstop, not the mechanism. */
const FULL_PASS_MS = 60_000;
/**
 * Tasks one control-loop pass lays out at most (whole services; see
 * reconcile's maxCreates). 100 services of 1,000 replicas created at once
 * held the leader's thread 3-4 s in one pass, past the election timeout of
 * its followers; 10,000 keep a pass to a few hundred ms.
 */
export const MAX_CREATES_PER_PASS = 10_000;
/** A learner within this many entries of the commit index counts as caught up. */
const CAUGHT_UP_ENTRIES = 1000;

export class LeaderDuties {
  private readonly loop: ControlLoop;
  private readonly tracker = new ReconcileTracker();
  private wakeAt: number | null = null;
  private lastFullPass = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly downSince = new Map<string, number>();
  private readonly pressure = new PressureTracker();
  private active = false;
  private sweeping = false;
  private confChanging = false;
  onFailover: ((nodeId: string) => void) | null = null;
  onPass: ((ms: number, commands: number) => void) | null = null;

  constructor(private readonly rt: LeaderDutiesComponents) {
    rt.state.onChange((cmd, _index, result) => this.tracker.observe(cmd, result, rt.state));
    this.loop = new ControlLoop({
      plan: () => this.plan(),
      propose: async (cmd) => (await rt.propose(cmd as Command)).result,
      logger: rt.log.child({ component: 'orchestrator' }),
      onPass: (ms, n) => this.onPass?.(ms, n),
    });
    rt.onLivenessChange((ev) => this.onLiveness(ev));
  }

  /**
   * One pass of the orchestrator over what changed since the last one
   * (ReconcileTracker), or over everything for a new leader, when a
   * time-based decision is due (restart delay, update monitor) and every
   * FULL_PASS_MS as a backstop.
   */
  private plan(): { commands: unknown[]; nextWakeAt: number | null } {
    const { state, log } = this.rt;
    const now = Date.now();
    if ((this.wakeAt !== null && now >= this.wakeAt) || now - this.lastFullPass >= FULL_PASS_MS) this.tracker.markFull();
    const scope = this.tracker.take(state);
    const { commands, plan, deferred } = reconcile(state, now, () => randomInt(0, 2 ** 32) / 2 ** 32, { ...(scope ? { scope } : {}), maxCreates: MAX_CREATES_PER_PASS });
    // The rest of a big lay-out: the next pass, once these commands applied (their apply wakes the loop).
    this.tracker.defer(deferred);
    if (scope === undefined) {
      this.lastFullPass = now;
      this.wakeAt = plan.nextWakeAt;
    } else if (plan.nextWakeAt !== null && (this.wakeAt === null || plan.nextWakeAt < this.wakeAt)) {
      this.wakeAt = plan.nextWakeAt;
    }
    return { commands: [...networkCommands(state, log), ...commands], nextWakeAt: this.wakeAt };
  }

  /** The state was replaced wholesale (a snapshot installed): the next pass looks at everything. */
  resync(): void {
    this.tracker.markFull();
    this.wake();
  }

  start(): void {
    if (this.active) return;
    this.tracker.markFull();
    this.active = true;
    this.loop.start();
    this.timers.push(setInterval(() => void this.sweepLiveness(), SWEEP_MS));
    this.timers.push(setInterval(() => void this.autopilot(), AUTOPILOT_MS));
    void this.sweepLiveness();
  }

  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.loop.stop();
  }

  wake(): void {
    if (this.active) this.loop.wake();
  }

  private onLiveness(ev: LivenessEvent): void {
    if (ev.to === 'down') this.downSince.set(ev.nodeId, Date.now());
    else if (ev.to === 'alive') this.downSince.delete(ev.nodeId);
    if (this.active) void this.sweepLiveness();
  }

  /** Commit what the detector knows and the state does not say yet. */
  private async sweepLiveness(): Promise<void> {
    if (!this.active || this.sweeping) return;
    this.sweeping = true;
    try {
      const { state, selfId } = this.rt;
      const cmds: Command[] = [];
      for (const n of state.nodes()) {
        if (n.id === selfId) {
          if (n.status === 'down') cmds.push({ type: 'node.up', at: Date.now(), nodeId: n.id });
          continue;
        }
        const live = this.rt.liveness(n.id);
        if (n.status !== 'down' && live === 'down') {
          cmds.push({ type: 'node.down', at: Date.now(), nodeId: n.id, message: 'no heartbeat and no answer to direct or indirect pings' });
          this.onFailover?.(n.id);
        } else if (n.status === 'down' && live === 'alive') {
          cmds.push({ type: 'node.up', at: Date.now(), nodeId: n.id });
        }
      }
      cmds.push(...this.pressureChanges());
      await Promise.all(cmds.map((c) => this.rt.propose(c).catch((err) => this.rt.log.warn({ err: String(err), cmd: c.type }, 'liveness proposal failed'))));
    } finally {
      this.sweeping = false;
    }
  }

  /** Host pressure confirmed over its window (hysteresis in PressureTracker) and not yet in the state. */
  private pressureChanges(): Command[] {
    const out: Command[] = [];
    const now = Date.now();
    for (const n of this.rt.state.nodes()) {
      if (n.status !== 'ready') continue;
      const committed = n.pressure?.level ?? 'normal';
      this.pressure.seed(n.id, committed, now);
      const sample = this.rt.pressure?.(n.id);
      if (!sample) continue;
      const level = this.pressure.observe(n.id, sample, now) ?? this.pressure.level(n.id);
      if (level === committed) continue;
      this.rt.log.warn({ node: n.name, level, sample }, level === 'normal' ? 'node recovered from pressure' : 'node under pressure');
      out.push({ type: 'node.pressure', at: now, nodeId: n.id, pressure: level === 'normal' ? null : { level, since: now, detail: describeSample(sample) } });
    }
    return out;
  }

  private async autopilot(): Promise<void> {
    if (!this.active || this.confChanging) return;
    this.confChanging = true;
    try {
      // Chain steps: growing 1 -> 3 voters passes through an even, fragile size; leave it within one commit.
      for (let step = 0; step < 5 && this.active; step++) {
        const change = this.planVoters();
        if (!change) break;
        this.rt.log.info({ change }, 'autopilot changes the voter set');
        await this.rt.raft.proposeConfChange(change);
      }
      await this.syncRoles();
    } catch (err) {
      this.rt.log.warn({ err: String(err) }, 'autopilot step failed');
    } finally {
      this.confChanging = false;
    }
  }

  private planVoters(): ConfChange | null {
    const { raft, state, selfId } = this.rt;
    const st = raft.status();
    const members = new Map<string, MemberHealth>();
    for (const n of state.nodes()) {
      const live = n.id === selfId ? 'alive' : this.rt.liveness(n.id);
      const match = st.progress?.[n.id]?.match ?? 0;
      members.set(n.id, {
        id: n.id,
        alive: live === 'alive' && n.status !== 'down',
        downSince: live === 'alive' ? undefined : (this.downSince.get(n.id) ?? Date.now()),
        // match 0: it never acknowledged an append, whatever the commit index (a dead node re-added after `cluster recover`).
        caughtUp: n.id === selfId || (match > 0 && st.commit - match <= CAUGHT_UP_ENTRIES),
      });
      if (live !== 'alive' && !this.downSince.has(n.id)) this.downSince.set(n.id, Date.now());
    }
    return planVoterChange({
      conf: st.conf,
      members,
      target: state.config().voters,
      graceMs: state.config().voterGraceMs,
      now: Date.now(),
      leaderId: selfId,
      registered: state.nodes().map((n) => n.id),
    });
  }

  /** Keep each node's role in the state in line with Raft's configuration. */
  private async syncRoles(): Promise<void> {
    const conf = this.rt.raft.status().conf;
    for (const n of this.rt.state.nodes()) {
      const role = conf.voters.includes(n.id) ? 'voter' : 'learner';
      if (n.role !== role) await this.rt.propose({ type: 'node.role', at: Date.now(), nodeId: n.id, role });
    }
  }
}
