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
  readonly streams: { status: string; writeStatus: string; written: Uint8Array[] }[] = [];
  async handle(): Promise<void> {}
  async dialProtocol(): Promise<unknown> {
    this.dials++;
    if (!this.reachable) throw new Error('connection refused');
    const stream = {
      status: 'open',
      writeStatus: 'writing',
      written: [] as Uint8Array[],
      sink: async (src: AsyncIterable<Uint8Array>) => {
        for await (const chunk of src) {
          // A closed stream learns it on the next write, as yamux's does: the batch is lost.
          if (stream.status !== 'open') throw new Error('Cannot push value onto an ended pushable');
          stream.written.push(chunk);
          this.written.push(chunk);
        }
      },
      abort: () => {
        stream.status = 'aborted';
      },
    };
    this.streams.push(stream);
    return stream;
  }
}

const turns = async (n = 10): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

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
    await turns();
    assert.equal(libp2p.written.length, 1, 'the queued frame went out on the new stream');
  } finally {
    streams.stop();
  }
});

test('a stream whose connection closed while idle is replaced before the next batch, which is not lost', async () => {
  const peer = peerIdFromString('12D3KooWKLQ9Aj8TGALerqws3LzrW8g7R6EqhC8aCxnhqZx3oCSm');
  const libp2p = new FakeLibp2p();
  libp2p.reachable = true;
  const streams = new RaftStreams(libp2p as unknown as Libp2p, () => true, silentLogger);
  await streams.start();
  try {
    streams.send(peer.toString(), [new Uint8Array([1])]);
    await turns();
    assert.equal(libp2p.streams.length, 1);
    assert.equal(libp2p.streams[0]!.written.length, 1);
    // The peer restarts: its old connection (and our idle stream on it) closes.
    libp2p.streams[0]!.status = 'closed';
    streams.send(peer.toString(), [new Uint8Array([2])]);
    await turns();
    assert.equal(libp2p.dials, 2, 'a new stream was dialled');
    assert.deepEqual([...libp2p.streams[1]!.written.map((c) => c.length)].length, 1, 'the batch went out on the new stream');
    assert.equal(streams.stats.framesDropped, 0, 'nothing was dropped');
  } finally {
    streams.stop();
  }
});
