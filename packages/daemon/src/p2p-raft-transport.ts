/**
 * Raft over libp2p: messages are encoded with the Raft codec and sent as
 * frames on /shoal/raft/1. A frame is accepted only when the peer that sent
 * it is the node the message claims to come from; anything malformed is
 * dropped and counted, never thrown.
 */
import { decodeMessage, encodeMessage, type Message } from '@shoal/raft';
import type { RaftTransport } from '@shoal/raft-host';
import type { P2PNode } from '@shoal/p2p';

export class P2PRaftTransport implements RaftTransport {
  readonly rejected = { malformed: 0, spoofed: 0 };

  constructor(private readonly p2p: P2PNode) {}

  send(msgs: Message[]): void {
    const byPeer = new Map<string, Uint8Array[]>();
    for (const m of msgs) {
      let frames = byPeer.get(m.to);
      if (!frames) byPeer.set(m.to, (frames = []));
      frames.push(encodeMessage(m));
    }
    for (const [to, frames] of byPeer) this.p2p.sendRaft(to, frames);
  }

  onMessage(handler: (m: Message) => void): void {
    this.p2p.onRaft((from, frame) => {
      let m: Message;
      try {
        m = decodeMessage(frame);
      } catch {
        this.rejected.malformed++;
        return;
      }
      if (m.from !== from) {
        this.rejected.spoofed++;
        return;
      }
      handler(m);
    });
  }
}
