/**
 * Window updates when half the receive window is used, as hashicorp/yamux
 * and go-yamux do. @chainsafe/libp2p-yamux 7 sends a WindowUpdate frame
 * after every chunk a stream reads, so every small Raft or SWIM message
 * costs its receiver a frame back: one extra encrypted write per message,
 * about half the write syscalls of an idle agent (measured: a follower of a
 * 3-node cluster made ~40 writes/s for ~20 messages/s sent), and those
 * writes were the largest item in its CPU profile. The sender never waits
 * longer for credit: it still has half a window (128 KiB by default) when
 * the update leaves. Patched once, on the stream class the muxer uses.
 */
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';

interface WindowFields {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

let patched = false;

export function sendWindowUpdatesAtHalf(): void {
  if (patched) return;
  patched = true;
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate(this: WindowFields): void };
  const original = proto.sendWindowUpdate;
  proto.sendWindowUpdate = function (this: WindowFields) {
    // Opening flags (SYN/ACK) ride on window updates: those always go.
    const opening = this.state === StreamState.Init || this.state === StreamState.SYNReceived;
    if (!opening && this.recvWindowCapacity > this.recvWindow / 2) return;
    original.call(this);
  };
}
