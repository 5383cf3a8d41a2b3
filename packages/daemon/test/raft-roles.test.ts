/**
 * Issue 13, "Raft messages by role", played over the real protocols: three
 * voters run the production RaftHost on LevelDB over libp2p (PSK, Noise, the
 * daemon's P2PRaftTransport); a fourth member, added to Raft as a learner,
 * is under an attacker's control and sends forged Raft frames with its own,
 * authenticated identity. Each attack must fail and the cluster keep working.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage, type Entry, type Message } from '@shoal/raft';
import { createP2PNode, generateClusterSecrets, type P2PNode } from '@shoal/p2p';
import { LevelRaftStorage } from '@shoal/storage';
import { RaftHost, type StateMachine } from '@shoal/raft-host';
import { P2PRaftTransport } from '../src/p2p-raft-transport.js';
import { waitFor } from '@shoal/testkit';

class ListFsm implements StateMachine {
  readonly applied: string[] = [];
  apply(e: Entry): unknown {
    this.applied.push(new TextDecoder().decode(e.data));
    return null;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.applied));
  }
  restore(data: Uint8Array): void {
    this.applied.splice(0, this.applied.length, ...(JSON.parse(new TextDecoder().decode(data)) as string[]));
  }
}

interface Voter {
  id: string;
  dir: string;
  p2p: P2PNode;
  storage: LevelRaftStorage;
  host: RaftHost;
  fsm: ListFsm;
}

const dirs: string[] = [];
const members = new Set<string>();
const { psk } = generateClusterSecrets();
const voters: Voter[] = [];
let attacker: P2PNode;
let ids: string[] = [];

async function p2pNode(): Promise<P2PNode> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-raft-roles-'));
  dirs.push(dir);
  const node = await createP2PNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], psk, allow: (p) => members.has(p) });
  members.add(node.peerId);
  await node.start();
  return node;
}

async function startHost(v: Pick<Voter, 'id' | 'dir' | 'p2p'>): Promise<Voter> {
  const storage = await LevelRaftStorage.open(v.dir);
  const fsm = new ListFsm();
  const host = new RaftHost({ id: v.id, storage, transport: new P2PRaftTransport(v.p2p), fsm, bootstrapVoters: ids, tickMs: 20, electionTick: 10, heartbeatTick: 1 });
  await host.start();
  return { ...v, storage, fsm, host };
}

const leader = (): Voter => voters.find((v) => v.host.status().role === 'leader')!;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const forge = (m: Message): void => attacker.sendRaft(m.to, [encodeMessage(m)]);
const refused = (v: Voter, reason: string): number => (v.host.refusedMessages() as Record<string, number>)[reason] ?? 0;

before(async () => {
  const nodes = [await p2pNode(), await p2pNode(), await p2pNode()];
  attacker = await p2pNode();
  ids = nodes.map((n) => n.peerId);
  for (const a of [...nodes, attacker]) for (const b of [...nodes, attacker]) if (a !== b) a.setPeerAddresses(b.peerId, b.addresses());
  for (const p2p of nodes) voters.push(await startHost({ id: p2p.peerId, dir: mkdtempSync(join(tmpdir(), 'shoal-raft-roles-db-')), p2p }));
  dirs.push(...voters.map((v) => v.dir));
  await waitFor('a leader', async () => voters.some((v) => v.host.status().role === 'leader'), { timeoutMs: 30_000 });
  // The attacker joined like any node: it is a member and a Raft learner.
  await leader().host.proposeConfChange({ type: 'addLearner', node: attacker.peerId });
  await leader().host.propose(enc('before'));
});

after(async () => {
  for (const v of voters) {
    await v.host.stop();
    await v.storage.close();
    await v.p2p.stop();
  }
  await attacker?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a learner\'s heartbeat at term+1 does not make the leader step down', async () => {
  const l = leader();
  const { term } = l.host.status();
  const before = refused(l, 'leadFromNonVoter');
  for (let i = 0; i < 5; i++) forge({ type: 'heartbeat', from: attacker.peerId, to: l.id, term: term + 1, commit: 0 });
  await waitFor('the leader to refuse the heartbeats', async () => refused(l, 'leadFromNonVoter') >= before + 5, { timeoutMs: 10_000 });
  assert.equal(l.host.status().role, 'leader');
  assert.equal(l.host.status().term, term);
  await l.host.propose(enc('during-heartbeat-attack'));
});

test('a learner\'s append at term+1 with a forged command is neither appended nor applied', async () => {
  const l = leader();
  const f = voters.find((v) => v !== l)!;
  const st = f.host.status();
  const before = refused(f, 'leadFromNonVoter');
  const forged: Entry = { index: st.lastIndex + 1, term: st.term + 1, type: 'normal', data: enc('forged service.create') };
  forge({ type: 'append', from: attacker.peerId, to: f.id, term: st.term + 1, index: st.lastIndex, logTerm: st.term, entries: [forged], commit: st.lastIndex + 1 });
  await waitFor('the follower to refuse the append', async () => refused(f, 'leadFromNonVoter') > before, { timeoutMs: 10_000 });
  await l.host.propose(enc('after-append-attack'));
  await waitFor('the follower to apply the real write', async () => f.fsm.applied.includes('after-append-attack'), { timeoutMs: 10_000 });
  assert.ok(!voters.some((v) => v.fsm.applied.includes('forged service.create')));
  assert.equal(l.host.status().role, 'leader');
});

test('a learner cannot campaign', async () => {
  const l = leader();
  const f = voters.find((v) => v !== l)!;
  const { term } = f.host.status();
  const before = refused(f, 'campaignFromNonVoter');
  forge({ type: 'preVote', from: attacker.peerId, to: f.id, term: term + 1, index: 1e9, logTerm: term });
  forge({ type: 'vote', from: attacker.peerId, to: f.id, term: term + 1, index: 1e9, logTerm: term });
  await waitFor('the follower to refuse the campaign', async () => refused(f, 'campaignFromNonVoter') >= before + 2, { timeoutMs: 10_000 });
  assert.equal(f.host.status().term, term);
});

test('a term of 2^53-1 is refused, never persisted, and the node restarts', async () => {
  const l = leader();
  const idx = voters.findIndex((v) => v !== l);
  const f = voters[idx]!;
  const { term } = f.host.status();
  const before = refused(f, 'outOfRange');
  forge({ type: 'heartbeat', from: attacker.peerId, to: f.id, term: 2 ** 53 - 1, commit: 0 });
  forge({ type: 'appendResp', from: attacker.peerId, to: l.id, term: 2 ** 53 - 1, index: 0 });
  await waitFor('the follower to refuse the term', async () => refused(f, 'outOfRange') > before, { timeoutMs: 10_000 });
  assert.equal(f.host.status().term, term);
  await f.host.stop();
  await f.storage.close();
  const again = await startHost({ id: f.id, dir: f.dir, p2p: f.p2p });
  voters[idx] = again;
  assert.ok(again.host.status().term < 2 ** 48, 'restarted with a sane term');
  await leader().host.propose(enc('after-restart'));
  await waitFor('the restarted voter to catch up', async () => again.fsm.applied.includes('after-restart'), { timeoutMs: 15_000 });
});
