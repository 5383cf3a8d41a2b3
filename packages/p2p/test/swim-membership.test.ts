/**
 * SwimMembership (SWIM over the p2p node): what the daemon is told about
 * members. A fake node carries frames; nothing waits on the clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwimMembership } from '../src/swim-membership.js';
import type { P2PNode } from '../src/node.js';

function fakeNode(peerId: string): { node: P2PNode; deliver: (from: string, msg: unknown) => void; sent: { to: string; msg: unknown }[] } {
  let handler: ((from: string, frame: Uint8Array) => void) | null = null;
  const sent: { to: string; msg: unknown }[] = [];
  const node = {
    peerId,
    onSwim: (h: (from: string, frame: Uint8Array) => void) => (handler = h),
    sendSwim: (to: string, frame: Uint8Array) => sent.push({ to, msg: JSON.parse(new TextDecoder().decode(frame)) }),
    sign: () => 'sig',
    verify: () => true,
  } as unknown as P2PNode;
  return { node, sent, deliver: (from, msg) => handler!(from, new TextEncoder().encode(JSON.stringify(msg))) };
}

const body = () => ({ resources: { total: { cpuMillis: 1000, memoryBytes: 1 }, free: { cpuMillis: 1000, memoryBytes: 1 } }, drivers: ['exec'], tasks: { running: 0, failed: 0 } });

test('a member known only from the cluster state is not reported alive until it speaks to us', () => {
  const f = fakeNode('me');
  const m = new SwimMembership({ node: f.node, heartbeatSource: body as never, confirmsDown: () => false });
  const changes: { nodeId: string; to: string }[] = [];
  m.on('change', (e) => changes.push({ nodeId: e.nodeId, to: e.to }));
  m.start();
  try {
    // A dead voter re-added after `cluster recover`: tracked, never heard.
    m.liveness.track('ghost');
    m.liveness.track('peer');
    assert.equal(m.liveness.state('ghost'), undefined, 'unheard is not alive');
    assert.equal(m.liveness.state('peer'), undefined);
    // The live one pings us: now it is alive, and we answered it.
    f.deliver('peer', { type: 'ping', seq: 7, updates: [] });
    assert.equal(m.liveness.state('peer'), 'alive');
    assert.ok(f.sent.some((s) => s.to === 'peer' && (s.msg as { type: string }).type === 'ack'));
    assert.equal(m.liveness.state('ghost'), undefined);
    assert.deepEqual(changes, [{ nodeId: 'peer', to: 'alive' }]);
    // A stranger admitted by the transport (a node that just joined) is alive at its first message.
    f.deliver('newcomer', { type: 'ping', seq: 1, updates: [] });
    assert.equal(m.liveness.state('newcomer'), 'alive');
  } finally {
    m.stop();
  }
});
