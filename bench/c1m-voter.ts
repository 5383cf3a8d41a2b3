// A follower voter of the c1m bench in its own worker thread, as it would be
// on its own machine: a real RaftHost on its own LevelDB (synced writes)
// applying the real command codec into a real ClusterState. Raft messages
// travel to and from the main thread (which holds the leader and routes) in
// the real wire encoding, as bytes.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ClusterState } from '@shoal/state';
import { LevelRaftStorage } from '@shoal/storage';
import { RaftHost, type RaftTransport } from '@shoal/raft-host';
import { decodeMessage, encodeMessage, type Message } from '@shoal/raft';
import { clusterStateMachine } from '@shoal/daemon';

export interface VoterInit {
  id: string;
  dir: string;
  voters: string[];
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
}

/** Main thread <-> voter worker. */
export type VoterRequest = { type: 'raft'; msgs: Uint8Array[] } | { type: 'transfer'; to: string } | { type: 'stop' };
export type VoterReply = { type: 'raft'; msgs: Uint8Array[] } | { type: 'started' } | { type: 'transferred'; error?: string } | { type: 'stopped' };

/** Encodes Raft messages for postMessage (copies: the codec may hand out views of a shared buffer). */
export function encodeBatch(msgs: Message[]): Uint8Array[] {
  return msgs.map((m) => encodeMessage(m).slice());
}

async function serve(port: MessagePort, init: VoterInit): Promise<void> {
  const post = (r: VoterReply) => port.postMessage(r, r.type === 'raft' ? r.msgs.map((b) => b.buffer as ArrayBuffer) : []);
  let deliver: ((m: Message) => void) | null = null;
  const transport: RaftTransport = {
    send: (msgs) => post({ type: 'raft', msgs: encodeBatch(msgs) }),
    onMessage: (h) => {
      deliver = h;
    },
  };
  const state = new ClusterState();
  const storage = await LevelRaftStorage.open(init.dir);
  const host = new RaftHost({ id: init.id, storage, transport, fsm: clusterStateMachine(state), bootstrapVoters: init.voters, tickMs: init.tickMs, electionTick: init.electionTick, heartbeatTick: init.heartbeatTick, raftOptions: { maxCommittedSizePerReady: 1024 * 1024 } });
  port.on('message', (req: VoterRequest) => {
    if (req.type === 'raft') {
      // Before start a message is dropped: Raft resends.
      for (const b of req.msgs) deliver?.(decodeMessage(b));
    } else if (req.type === 'transfer') {
      host.transferLeadership(req.to, { timeoutMs: 20_000 }).then(
        () => post({ type: 'transferred' }),
        (err: unknown) => post({ type: 'transferred', error: String(err) }),
      );
    } else if (req.type === 'stop') {
      void (async () => {
        await host.stop();
        await storage.close();
        post({ type: 'stopped' });
      })();
    }
  });
  await host.start();
  post({ type: 'started' });
}

if (!isMainThread && parentPort) void serve(parentPort, workerData as VoterInit);
