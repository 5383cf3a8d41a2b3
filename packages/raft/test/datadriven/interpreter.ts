// The commands of the raft transcripts (testdata/*.txt): a few RaftNodes with
// in-memory disks and a message queue the transcript drives step by step.
//
//   add-nodes a b c [learners=d] [prevote=false] [checkquorum=false] [maxsize=N]   bootstrap voters
//   log a terms=1,1,2 [term=T] [vote=V] [commit=C]     restart `a` from this persisted state
//   add-node d                                         start a joiner (empty membership)
//   campaign a | tick a [N] | propose a DATA | read-index a CTX | transfer a b
//   conf-change a add-learner|promote|add-voter|remove NODE
//   stabilize [a b ...]      process readies and deliver messages until nothing moves
//   process-ready [a ...]    one round of readies, messages stay queued
//   deliver [from=a] [to=b] [type=t] [drop=true]   one pass over the queue
//   isolate a | heal | restart a | status [a ...] | raft-log a
import { RaftNode } from '../../src/node.js';
import type { ConfChangeType, ConfState, Entry, Message, NodeId, RaftConfig } from '../../src/types.js';
import { MemDisk, dec, enc } from '../harness.js';
import type { Command } from './transcript.js';

const CC_TYPES: Record<string, ConfChangeType> = { 'add-learner': 'addLearner', promote: 'promoteLearner', 'add-voter': 'addVoter', remove: 'removeNode' };

export class Interpreter {
  private readonly nodes = new Map<NodeId, RaftNode>();
  private readonly disks = new Map<NodeId, MemDisk>();
  private readonly boot = new Map<NodeId, ConfState>();
  private readonly applied = new Map<NodeId, number>();
  private queue: Message[] = [];
  private readonly isolated = new Set<NodeId>();
  private cfg: Omit<RaftConfig, 'id' | 'persisted' | 'applied' | 'random'> = { electionTick: 10, heartbeatTick: 1 };

  run(c: Command): string {
    const out: string[] = [];
    const ids = (): NodeId[] => (c.args.length > 0 ? c.args : [...this.nodes.keys()]);
    try {
      switch (c.name) {
        case 'add-nodes': {
          this.cfg = {
            electionTick: 10,
            heartbeatTick: 1,
            preVote: c.opts.get('prevote') !== 'false',
            checkQuorum: c.opts.get('checkquorum') !== 'false',
            maxSizePerMsg: c.opts.has('maxsize') ? Number(c.opts.get('maxsize')) : undefined,
          };
          const learners = c.opts.get('learners')?.split(',') ?? [];
          for (const id of [...c.args, ...learners]) this.start(id, new MemDisk(), { voters: c.args, learners });
          break;
        }
        case 'add-node':
          this.start(c.args[0]!, new MemDisk(), { voters: [], learners: [] });
          break;
        case 'log': {
          const id = c.args[0]!;
          const disk = new MemDisk();
          const terms = (c.opts.get('terms') ?? '').split(',').filter(Boolean).map(Number);
          disk.entries = terms.map((term, i) => ({ index: i + 1, term, type: 'normal', data: enc(`t${term}i${i + 1}`) }));
          disk.hardState = { term: Number(c.opts.get('term') ?? terms.at(-1) ?? 0), vote: c.opts.get('vote') ?? null, commit: Number(c.opts.get('commit') ?? 0) };
          this.start(id, disk, this.boot.get(id)!);
          break;
        }
        case 'restart': {
          const id = c.args[0]!;
          this.queue = this.queue.filter((m) => m.to !== id && m.from !== id);
          this.start(id, this.disks.get(id)!, this.boot.get(id)!);
          break;
        }
        case 'campaign':
          this.node(c.args[0]!).campaign();
          break;
        case 'tick': {
          const n = this.node(c.args[0]!);
          for (let i = 0; i < Number(c.args[1] ?? 1); i++) n.tick();
          break;
        }
        case 'propose': {
          const at = this.node(c.args[0]!).propose(enc(c.args[1] ?? ''));
          out.push(`proposed at ${at.index} (term ${at.term})`);
          break;
        }
        case 'conf-change': {
          const type = CC_TYPES[c.args[1]!];
          if (!type) throw new Error(`unknown conf change ${c.args[1]}`);
          const at = this.node(c.args[0]!).proposeConfChange({ type, node: c.args[2]! });
          out.push(`proposed at ${at.index} (term ${at.term})`);
          break;
        }
        case 'transfer':
          this.node(c.args[0]!).transferLeadership(c.args[1]!);
          break;
        case 'read-index':
          this.node(c.args[0]!).readIndex(c.args[1]!);
          break;
        case 'process-ready':
          for (const id of ids()) this.processReady(id, out);
          break;
        case 'deliver':
          this.deliver(c.opts, out);
          break;
        case 'stabilize':
          this.stabilize(ids(), out);
          break;
        case 'isolate':
          this.isolated.add(c.args[0]!);
          break;
        case 'heal':
          this.isolated.clear();
          break;
        case 'status':
          for (const id of ids()) out.push(this.statusLine(id));
          break;
        case 'raft-log':
          for (const id of ids()) out.push(`${id}: ${this.disks.get(id)!.entries.map(entryText).join(' ') || '(empty)'}`);
          break;
        default:
          throw new Error(`unknown command ${c.name}`);
      }
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (typeof e.code !== 'string') throw err;
      out.push(`error ${e.code}: ${e.message}`);
    }
    return out.join('\n');
  }

  private start(id: NodeId, disk: MemDisk, conf: ConfState): void {
    this.disks.set(id, disk);
    this.boot.set(id, conf);
    this.applied.set(id, disk.hardState.commit);
    const persisted = { hardState: { ...disk.hardState }, snapshot: disk.snapshot, entries: disk.entries.slice(), conf };
    // random() = 0: every election timeout is exactly electionTick, so transcripts never depend on chance.
    this.nodes.set(id, new RaftNode({ ...this.cfg, id, random: () => 0, persisted, applied: disk.hardState.commit }));
  }

  private node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  private processReady(id: NodeId, out: string[]): boolean {
    const n = this.node(id);
    if (!n.hasReady()) return false;
    const rd = n.ready();
    this.disks.get(id)!.persist(rd);
    if (rd.softState) out.push(`${id} is ${rd.softState.role} in term ${n.status().term}${rd.softState.leader ? ` (leader ${rd.softState.leader})` : ''}`);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) {
      this.applied.set(id, e.index);
      out.push(`${id} applied ${entryText(e)}`);
    }
    for (const rs of rd.readStates) out.push(`${id} may read ${rs.context} once it applied ${rs.index}`);
    n.advance(rd);
    return true;
  }

  private deliver(filter: Map<string, string>, out: string[]): number {
    const batch = this.queue;
    this.queue = [];
    let moved = 0;
    const drop = filter.get('drop') === 'true';
    for (const m of batch) {
      const match = (!filter.has('from') || filter.get('from') === m.from) && (!filter.has('to') || filter.get('to') === m.to) && (!filter.has('type') || filter.get('type') === m.type);
      if (!match) {
        this.queue.push(m);
        continue;
      }
      moved++;
      if (drop || this.isolated.has(m.from) || this.isolated.has(m.to) || !this.nodes.has(m.to)) {
        out.push(`dropped ${messageText(m)}`);
        continue;
      }
      out.push(messageText(m));
      this.node(m.to).step(m);
    }
    return moved;
  }

  private stabilize(ids: NodeId[], out: string[]): void {
    for (let round = 0; round < 100; round++) {
      let moved = false;
      for (const id of ids) moved = this.processReady(id, out) || moved;
      const before = this.queue.length;
      if (before > 0) moved = this.deliver(new Map(), out) > 0 || moved;
      if (!moved) return;
    }
    throw new Error('stabilize did not settle in 100 rounds');
  }

  private statusLine(id: NodeId): string {
    const s = this.node(id).status();
    return `${id}: ${s.role} term=${s.term} vote=${s.vote ?? '-'} leader=${s.leader ?? '-'} commit=${s.commit} applied=${this.applied.get(id)} last=${s.lastIndex} voters=${s.conf.voters.join(',')} learners=${s.conf.learners.join(',') || '-'}`;
  }
}

function entryText(e: Entry): string {
  if (e.type === 'conf') return `${e.index}/${e.term} conf`;
  return e.data.length === 0 ? `${e.index}/${e.term}` : `${e.index}/${e.term} "${dec(e.data)}"`;
}

function messageText(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`];
  if (m.index !== undefined) parts.push(`index=${m.index}`);
  if (m.logTerm !== undefined) parts.push(`logTerm=${m.logTerm}`);
  if (m.commit !== undefined) parts.push(`commit=${m.commit}`);
  if (m.entries && m.entries.length > 0) parts.push(`entries=[${m.entries.map((e) => `${e.index}/${e.term}`).join(' ')}]`);
  if (m.snapshot) parts.push(`snapshot=${m.snapshot.meta.index}/${m.snapshot.meta.term}`);
  if (m.context !== undefined) parts.push(`context=${m.context}`);
  if (m.reject) parts.push(`reject${m.rejectHint !== undefined ? ` hint=${m.rejectHint}` : ''}`);
  return parts.join(' ');
}
