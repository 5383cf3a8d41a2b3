import type { ConfChange, ConfState, NodeId } from '@shoal/raft';
import type { SimNode } from './sim-node.js';
import { SimViolation } from './violation.js';
import type { FaultMix } from './mixes.js';
import type { SimCluster } from './sim-cluster.js';

/**
 * The fault injector: every fault tick it may cut or heal links, crash and
 * restart nodes, move leadership, or run one membership change at a time
 * (add a learner under a fresh id, promote it, remove a voter), as the mix
 * allows.
 */
export class FaultInjector {
  private pendingChange: { cc: ConfChange; deadline: number } | null = null;
  private removals = new Map<NodeId, number>();

  constructor(
    private readonly c: SimCluster,
    private readonly mix: FaultMix,
  ) {}

  tick(): void {
    const { rng } = this.c;
    if (this.mix.partitions) this.partitionFaults();
    if (this.mix.crashes) {
      if (rng.chance(0.08)) {
        const up = this.c.upNodes();
        if (up.length > 0) this.crash(rng.pick(up).id);
      }
      if (rng.chance(0.03)) this.crash(this.c.leader()?.id);
      if (rng.chance(0.03)) this.pause();
    }
    if (this.mix.transfers && rng.chance(0.03)) this.transfer();
    if (this.mix.membership) this.membership();
    this.confirmRemovals();
  }

  /** Stops fault injection's disruptive part; removals already decided still complete. */
  settle(): void {
    this.pendingChange = null;
  }

  confirmRemovals(): void {
    if (this.removals.size === 0) return;
    const leader = this.c.leader();
    const st = leader?.status();
    if (!st) return;
    for (const [id, index] of this.removals) {
      if (st.applied < index || st.conf.voters.includes(id) || st.conf.learners.includes(id)) continue;
      this.removals.delete(id);
      // Operators are slow to stop removed machines: it keeps running, ticking and sending for up to 3 s.
      const linger = this.c.rng.chance(0.5) ? this.c.rng.int(300) : this.c.rng.int(3000);
      this.c.removed.add(id);
      this.c.count('removedLingering');
      this.c.trace(`${id} removed from the cluster; stopping it in ${linger} ms`);
      this.c.queue.after(linger, () => this.c.retire(id));
    }
  }

  private partitionFaults(): void {
    const { rng, network } = this.c;
    if (network.partitioned) {
      if (rng.chance(0.08)) this.heal();
      return;
    }
    const ids = this.c.upNodes().map((n) => n.id);
    if (ids.length < 2) return;
    const roll = rng.next();
    if (roll < 0.06) {
      const shuffled = rng.shuffle(ids.slice());
      const cut = 1 + rng.int(shuffled.length - 1);
      const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
      network.partition(groups);
      this.c.trace(`partition ${JSON.stringify(groups)}`);
      this.c.count('partitions');
      this.c.queue.after(100 + rng.int(1400), () => this.heal());
    } else if (roll < 0.09) {
      const leader = this.c.leader();
      if (!leader) return;
      network.partition([[leader.id], ids.filter((i) => i !== leader.id)]);
      this.c.trace(`isolate leader ${leader.id}`);
      this.c.count('leaderIsolations');
      this.c.queue.after(100 + rng.int(1400), () => this.heal());
    } else if (roll < 0.12) {
      const cuts = 1 + rng.int(3);
      for (let i = 0; i < cuts; i++) {
        const a = rng.pick(ids);
        const b = rng.pick(ids);
        if (a === b) continue;
        network.cutOneWay(a, b);
        this.c.trace(`cut one-way ${a} -> ${b}`);
        this.c.count('oneWayCuts');
      }
      this.c.queue.after(100 + rng.int(1400), () => this.heal());
    }
  }

  private heal(): void {
    if (!this.c.network.partitioned) return;
    this.c.network.heal();
    this.c.trace('heal');
  }

  private crash(id: NodeId | undefined): void {
    if (id === undefined) return;
    const node = this.c.nodes.get(id);
    if (!node || !node.up) return;
    const torn = this.c.rng.chance(0.5);
    node.crash(torn);
    this.c.trace(`crash ${id}${torn ? ' (torn writes)' : ''}`);
    this.c.count('crashes');
    this.c.queue.after(20 + this.c.rng.int(800), () => this.c.restart(id));
  }

  /** A process pause (SIGSTOP, long GC): the node misses ticks, then handles a backlog of stale messages. */
  private pause(): void {
    const up = this.c.upNodes().filter((n) => !n.paused);
    if (up.length === 0) return;
    const node = this.c.rng.chance(0.3) ? (this.c.leader() ?? this.c.rng.pick(up)) : this.c.rng.pick(up);
    const ms = 50 + this.c.rng.int(1500);
    node.pause();
    this.c.trace(`pause ${node.id} for ${ms} ms`);
    this.c.count('pauses');
    this.c.queue.after(ms, () => {
      this.c.trace(`resume ${node.id}`);
      node.resume();
    });
  }

  private transfer(): void {
    const leader = this.c.leader();
    const st = leader?.status();
    if (!leader || !st) return;
    let others = st.conf.voters.filter((v) => v !== leader.id);
    if (this.mix.misuse && this.c.rng.chance(0.15)) others = [leader.id, ...st.conf.learners, ...this.c.retired, 'n999'];
    if (others.length === 0) return;
    const to = this.c.rng.pick(others);
    this.c.trace(`transfer leadership ${leader.id} -> ${to}`);
    this.c.count('transfers');
    this.refusable(`transfer to ${to}`, () => leader.transferLeadership(to));
  }

  /** Runs a request Raft may refuse: a coded ShoalError is a refusal, anything else a crash of the node. */
  private refusable<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SimViolation) throw err;
      const e = err as { code?: unknown; name?: string; message?: string };
      if (typeof e.code !== 'string') throw new SimViolation('raft-threw', `${what} threw ${e.name}: ${e.message}`);
      this.c.trace(`${what} refused: ${e.message}`);
      this.c.count('refused');
      return undefined;
    }
  }

  private membership(): void {
    const { rng, queue } = this.c;
    const leader = this.c.leader();
    const st = leader?.status();
    if (!leader || !st) return;
    if (this.mix.misuse && rng.chance(0.03)) return this.misuseMembership(leader, st.conf);
    if (this.pendingChange) {
      const { cc, deadline } = this.pendingChange;
      if (queue.now > deadline || applied(cc, st.conf)) this.pendingChange = null;
      return;
    }
    if (!rng.chance(0.2)) return;
    const { voters, learners } = st.conf;
    // Membership wanders between one voter and the larger of 5 and the initial size: 1- and 2-voter
    // clusters, and removing the leader (itself, in a 2-voter cluster), are shapes the sim must reach.
    const maxVoters = Math.max(5, this.c.opts.nodes);
    let cc: ConfChange;
    if (learners.length > 0 && voters.length < maxVoters) cc = { type: 'promoteLearner', node: rng.pick(learners) };
    else if (voters.length > 1 && (voters.length >= maxVoters || rng.chance(0.5))) {
      const candidates = rng.chance(0.25) ? [leader.id] : voters.filter((v) => v !== leader.id);
      cc = { type: 'removeNode', node: rng.pick(candidates.length > 0 ? candidates : voters) };
    } else if (learners.length > 0) cc = { type: 'removeNode', node: rng.pick(learners) };
    else {
      const id = this.c.addNode();
      cc = { type: 'addLearner', node: id };
    }
    this.propose(leader, cc);
  }

  private propose(leader: SimNode, cc: ConfChange): void {
    const at = this.refusable(`conf change ${cc.type} ${cc.node}`, () => leader.proposeConfChange(cc));
    if (!at) return;
    this.c.trace(`propose ${cc.type} ${cc.node} at ${at.index}`);
    this.c.count(cc.type);
    this.pendingChange = { cc, deadline: this.c.queue.now + 2000 };
    if (cc.type === 'removeNode') this.removals.set(cc.node, at.index);
    if (cc.type === 'removeNode' && cc.node === leader.id) this.c.count('removeLeader');
  }

  /** Conf changes Raft must refuse or handle safely: a second change while one is pending, or one that makes no sense. */
  private misuseMembership(leader: SimNode, conf: ConfState): void {
    const { rng } = this.c;
    const members = [...conf.voters, ...conf.learners];
    const choices: ConfChange[] = [
      { type: 'addVoter', node: rng.pick(conf.voters) },
      { type: 'promoteLearner', node: rng.pick(conf.voters) },
      { type: 'removeNode', node: 'n999' },
    ];
    if (members.length > 3) choices.push({ type: 'removeNode', node: rng.pick(members.filter((m) => m !== leader.id)) });
    const cc = rng.pick(choices);
    this.c.count('misuse');
    // Bypasses the one-at-a-time pacing on purpose: a valid one here overlaps any pending change.
    if (cc.type === 'removeNode' && members.includes(cc.node) && conf.voters.length - (conf.voters.includes(cc.node) ? 1 : 0) < 1) return;
    this.propose(leader, cc);
  }
}

function applied(cc: ConfChange, conf: { voters: NodeId[]; learners: NodeId[] }): boolean {
  switch (cc.type) {
    case 'addLearner':
      return conf.learners.includes(cc.node);
    case 'addVoter':
    case 'promoteLearner':
      return conf.voters.includes(cc.node);
    case 'removeNode':
      return !conf.voters.includes(cc.node) && !conf.learners.includes(cc.node);
  }
}
