/**
 * Linearizable reads without a log entry (Raft thesis 6.4, ReadIndex): the
 * leader's commit index, once an entry of its own term is committed and a
 * heartbeat round confirms it still leads.
 */
import { Reconfiguration } from './reconfiguration.js';
import type { NodeId } from './types.js';

export abstract class ReadIndexing extends Reconfiguration {
  /** Heartbeats every follower, carrying a read context (replication.ts). */
  protected abstract bcastHeartbeat(context: string | undefined, to?: 'voters' | 'learners' | 'all'): void;

  protected handleReadIndex(from: NodeId, context: string): void {
    // Our commit index is only known to be current once an entry of our term committed;
    // this holds for a single voter too, which may hold entries an older leader acknowledged.
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReadIndex.push({ from, context });
      return;
    }
    if (this.tracker.isQuorum(new Set([this.id]))) {
      this.answerRead(from, this.log.committed, context);
      return;
    }
    if (this.readOnly.add(this.log.committed, context, from, this.id)) this.bcastHeartbeat(context, 'voters');
  }

  protected answerRead(from: NodeId, index: number, context: string): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ type: 'readIndexResp', to: from, term: this.term, index, context });
  }
}
