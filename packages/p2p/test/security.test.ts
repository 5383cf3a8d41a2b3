import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '@shoal/types';
import { generateClusterSecrets, hashSecret, JOIN_METHOD } from '../src/index.js';
import { waitFor } from '@shoal/testkit';
import { startCluster } from './cluster.js';

const cluster = await startCluster(2);
after(() => cluster.close());
const [leader, member] = cluster.nodes;
cluster.mesh();
const { joinSecret } = generateClusterSecrets();
const storedHash = hashSecret(joinSecret);
const revoked = new Set<string>();
// The daemon's decision, as it would run on the leader.
leader.handle(JOIN_METHOD, async (from, body) => {
  const secret = (body as { secret?: unknown } | null)?.secret;
  if (typeof secret !== 'string' || hashSecret(secret) !== storedHash) throw new ShoalError('UNAUTHORIZED', 'invalid join secret; get a fresh token');
  if (revoked.has(from)) throw new ShoalError('UNAUTHORIZED', 'this node was removed from the cluster and cannot re-join under the same identity');
  cluster.members.add(from);
  return { members: [...cluster.members] };
});
leader.handle('status', async () => 'ok');

const isCode = (code: string) => (e: unknown) => e instanceof ShoalError && e.code === code;

test('a peer without the cluster key cannot connect at all', async () => {
  const outsider = await cluster.add({ member: false, psk: generateClusterSecrets().psk });
  await assert.rejects(outsider.dial(leader.addresses()[0], AbortSignal.timeout(3000)), isCode('TIMEOUT'));
  assert.equal(leader.connectedPeers().includes(outsider.peerId), false);
});

test('a non-member may only call join; raft and other rpcs are refused', async () => {
  const joinerMembers = new Set<string>();
  const joiner = await cluster.add({ member: false, allow: (p) => joinerMembers.has(p) });
  const leaderId = await joiner.dial(leader.addresses()[0]);
  assert.equal(leaderId, leader.peerId);
  await assert.rejects(joiner.request(leaderId, 'status', null), isCode('UNAUTHORIZED'));
  const refusedBefore = leader.stats().raft.streamsRefused;
  let received = 0;
  leader.onRaft(() => received++);
  joiner.sendRaft(leaderId, [new Uint8Array([1, 2, 3])]);
  await waitFor('raft stream refused', () => leader.stats().raft.streamsRefused > refusedBefore, { timeoutMs: 3000 });
  assert.equal(received, 0);

  await assert.rejects(joiner.request(leaderId, JOIN_METHOD, { secret: 'wrong-secret-0123456789' }), isCode('UNAUTHORIZED'));
  assert.equal(cluster.members.has(joiner.peerId), false);
  const res = (await joiner.request(leaderId, JOIN_METHOD, { secret: joinSecret })) as { members: string[] };
  assert.ok(res.members.includes(joiner.peerId));
  for (const m of res.members) joinerMembers.add(m);
  assert.equal(await joiner.request(leaderId, 'status', null), 'ok');
});

test('a revoked peer id is refused, even with the right secret', async () => {
  const joiner = await cluster.add({ member: false });
  revoked.add(joiner.peerId);
  const leaderId = await joiner.dial(leader.addresses()[0]);
  await assert.rejects(joiner.request(leaderId, JOIN_METHOD, { secret: joinSecret }), (e: unknown) => isCode('UNAUTHORIZED')(e) && /removed/.test((e as Error).message));
  await assert.rejects(joiner.request(leaderId, 'status', null), isCode('UNAUTHORIZED'));
});

test('heartbeats from non-members are not delivered', async () => {
  const outsider = await cluster.add({ member: false });
  await outsider.dial(member.addresses()[0]);
  const seen: string[] = [];
  member.onHeartbeat((hb) => seen.push(hb.nodeId));
  const before = member.stats().heartbeats.rejected.notMember;
  const hb = (id: string, seq: number) => ({
    nodeId: id,
    incarnation: 1,
    seq,
    sentAt: Date.now(),
    resources: { total: { cpuMillis: 1000, memoryBytes: 1 }, free: { cpuMillis: 1000, memoryBytes: 1 } },
    drivers: ['exec' as const],
    tasks: { running: 0, failed: 0, total: 0 },
    version: 't',
  });
  await waitFor('outsider connected', () => outsider.connectedPeers().includes(member.peerId), { timeoutMs: 3000 });
  await new Promise((r) => setTimeout(r, 500)); // let gossipsub exchange subscriptions
  for (let i = 1; i <= 5; i++) await outsider.publishHeartbeat(hb(outsider.peerId, i));
  await leader.publishHeartbeat(hb(leader.peerId, 1));
  await waitFor('member heartbeat delivered', () => seen.includes(leader.peerId), { timeoutMs: 3000 });
  await waitFor('outsider heartbeats rejected', () => member.stats().heartbeats.rejected.notMember > before, { timeoutMs: 3000 });
  assert.equal(seen.includes(outsider.peerId), false);
  await assert.rejects(leader.publishHeartbeat(hb(member.peerId, 9)), isCode("BAD_MESSAGE"));
});
