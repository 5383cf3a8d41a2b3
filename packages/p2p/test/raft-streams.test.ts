import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Libp2p } from '@libp2p/interface';
import { RaftStreams } from '../src/raft-streams.js';
import { silentLogger } from '../src/logger.js';

/** Just enough of libp2p for the outbox: dials that fail until told otherwise, and connection events. */
class FakeLibp2p extends EventTarget {
  dials = 0;
  reachable = false;
  readonly written: Uint8Array[] = [];
  async handle(): Promise<void> {}
  async dialProtocol(): Promise<unknown> {
    this.dials++;
    if (!this.reachable) throw new Error('connection refused');
    return {
      sink: async (src: AsyncIterable<Uint8Array>) => {
        for await (const chunk of src) this.written.push(chunk);
      },
      abort: () => {},
    };
  }
}

test('a peer that connects while its outbox backs off is dialled at once, with what was queued', async () => {
  const peer = peerIdFromString('12D3KooWKLQ9Aj8TGALerqws3LzrW8g7R6EqhC8aCxnhqZx3oCSm');
  const libp2p = new FakeLibp2p();
  const streams = new RaftStreams(libp2p as unknown as Libp2p, () => true, silentLogger);
  await streams.start();
  try {
    streams.send(peer.toString(), [new Uint8Array([1])]);
    await new Promise((r) => setImmediate(r));
    assert.equal(libp2p.dials, 1, 'the first send dials');
    assert.equal(streams.stats.framesDropped, 1, 'a failed dial drops the queue');
    streams.send(peer.toString(), [new Uint8Array([2])]);
    await new Promise((r) => setImmediate(r));
    assert.equal(libp2p.dials, 1, 'within the backoff the frame waits');
    libp2p.reachable = true;
    libp2p.dispatchEvent(new CustomEvent('connection:open', { detail: { remotePeer: peer } }));
    assert.equal(libp2p.dials, 2, 'the connection ends the backoff: dialled now');
    for (let i = 0; i < 10 && libp2p.written.length === 0; i++) await new Promise((r) => setImmediate(r));
    assert.equal(libp2p.written.length, 1, 'the queued frame went out on the new stream');
  } finally {
    streams.stop();
  }
});
