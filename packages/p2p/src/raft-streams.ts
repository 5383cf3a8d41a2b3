/**
 * Raft frames over `/shoal/raft/1`: one long-lived outbound stream per peer,
 * frames length-prefixed and batched (everything queued goes out in one
 * write). The queue per peer is bounded; when it is full the oldest frames
 * are dropped, because Raft retransmits and stale messages are worth less
 * than fresh ones. A failed dial drops the queue and retries with backoff on
 * the next send; a connection from the peer (it is back) ends the backoff.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { encodeFrames, FrameDecoder, MAX_RAFT_FRAME_BYTES } from './frames.js';
import { Backoff } from './backoff.js';
import type { Logger } from './logger.js';

export const RAFT_PROTOCOL = '/shoal/raft/1';

export interface RaftQueueLimits {
  maxQueuedFrames: number;
  maxQueuedBytes: number;
}

export const RAFT_QUEUE_DEFAULTS: RaftQueueLimits = { maxQueuedFrames: 4096, maxQueuedBytes: 128 * 1024 * 1024 };
const DIAL_TIMEOUT_MS = 3000;

export interface RaftStats {
  framesSent: number;
  framesReceived: number;
  framesDropped: number;
  streamsRefused: number;
  badStreams: number;
}

class Outbox {
  frames: Uint8Array[] = [];
  bytes = 0;
  stream: Stream | null = null;
  connecting = false;
  /** Redial after 50 ms, doubling up to 2 s: Raft retransmits, so a short wait is enough. */
  readonly backoff = new Backoff(50, 2000);
  wake: (() => void) | null = null;
  retryTimer: ReturnType<typeof setTimeout> | null = null;
  constructor(readonly peer: PeerId) {}
}

/** A stream our next batch can still go out on. */
function isWritable(stream: Stream): boolean {
  return stream.status === 'open' && stream.writeStatus !== 'closing' && stream.writeStatus !== 'closed';
}

export class RaftStreams {
  readonly stats: RaftStats = { framesSent: 0, framesReceived: 0, framesDropped: 0, streamsRefused: 0, badStreams: 0 };
  private readonly outboxes = new Map<string, Outbox>();
  private handler: (from: string, frame: Uint8Array) => void = () => {};
  private stopped = false;

  constructor(
    private readonly libp2p: Libp2p,
    private readonly allow: (peerId: string) => boolean,
    private readonly log: Logger,
    private readonly limits: RaftQueueLimits = RAFT_QUEUE_DEFAULTS,
    /** The same lossy, batched per-peer stream also carries SWIM membership messages. */
    private readonly protocol: string = RAFT_PROTOCOL,
  ) {}

  /**
   * A peer we failed to dial while it was down is back when it connects (to us, or we to it for
   * something else): dial it now. Waiting out a backoff grown to 2 s delayed the votes of the next
   * election to a restarted node by up to that long (issue 15).
   */
  private readonly peerConnected = (evt: CustomEvent<Connection>): void => {
    const to = evt.detail.remotePeer.toString();
    const box = this.outboxes.get(to);
    if (!box || box.stream || box.connecting || this.stopped) return;
    box.backoff.succeeded();
    if (box.retryTimer) clearTimeout(box.retryTimer);
    box.retryTimer = null;
    if (box.frames.length > 0) this.connect(to, box);
  };

  async start(): Promise<void> {
    this.stopped = false;
    this.libp2p.addEventListener('connection:open', this.peerConnected);
    await this.libp2p.handle(this.protocol, ({ stream, connection }) => void this.receive(connection.remotePeer.toString(), stream), {
      maxInboundStreams: 4,
      maxOutboundStreams: 4,
    });
  }

  stop(): void {
    this.stopped = true;
    this.libp2p.removeEventListener('connection:open', this.peerConnected);
    for (const box of this.outboxes.values()) {
      box.stream?.abort(new Error('node stopping'));
      if (box.retryTimer) clearTimeout(box.retryTimer);
      box.wake?.();
    }
    this.outboxes.clear();
  }

  onFrame(handler: (from: string, frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  send(to: string, frames: Uint8Array[]): void {
    if (this.stopped || frames.length === 0) return;
    let box = this.outboxes.get(to);
    if (!box) {
      box = new Outbox(peerIdFromString(to));
      this.outboxes.set(to, box);
    }
    for (const f of frames) {
      if (f.length > MAX_RAFT_FRAME_BYTES) {
        this.stats.framesDropped++;
        this.log.warn({ peer: to, bytes: f.length }, 'raft frame larger than the frame limit dropped');
        continue;
      }
      box.frames.push(f);
      box.bytes += f.length;
    }
    while (box.frames.length > this.limits.maxQueuedFrames || (box.bytes > this.limits.maxQueuedBytes && box.frames.length > 1)) {
      box.bytes -= box.frames.shift()!.length;
      this.stats.framesDropped++;
    }
    if (box.stream && !isWritable(box.stream)) this.dropStream(box);
    if (box.stream) box.wake?.();
    else this.connect(to, box);
  }

  /**
   * The peer's connection closed (it restarted, say) while our sink sat waiting for frames:
   * the stream learns it only when written to, and the batch written then is lost (a vote of
   * the next election, issue 15). Forget it before writing and dial again.
   */
  private dropStream(box: Outbox): void {
    const stale = box.stream!;
    box.stream = null;
    box.wake?.();
    stale.abort(new Error('stream no longer open'));
  }

  private connect(to: string, box: Outbox): void {
    if (box.connecting || this.stopped) return;
    const wait = box.backoff.waitMs(Date.now());
    if (wait > 0) {
      // Frames queued during the backoff go out when it ends, even if no new send comes.
      box.retryTimer ??= setTimeout(() => {
        box.retryTimer = null;
        if (box.frames.length > 0 && !box.stream) this.connect(to, box);
      }, wait);
      return;
    }
    box.connecting = true;
    this.libp2p
      .dialProtocol(box.peer, this.protocol, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      .then((stream) => {
        box.connecting = false;
        if (this.stopped || this.outboxes.get(to) !== box) return stream.abort(new Error('node stopping'));
        box.stream = stream;
        box.backoff.succeeded();
        stream
          .sink(this.batches(box, stream))
          .catch((err: Error) => this.log.debug({ peer: to, err: err.message }, 'raft stream ended'))
          .finally(() => {
            if (box.stream === stream) box.stream = null;
            box.wake?.();
            if (box.frames.length > 0) this.connect(to, box);
          });
      })
      .catch((err: Error) => {
        box.connecting = false;
        const backoffMs = box.backoff.failed(Date.now());
        this.stats.framesDropped += box.frames.length;
        box.frames = [];
        box.bytes = 0;
        this.log.debug({ peer: to, err: err.message, backoffMs }, 'raft dial failed');
      });
  }

  private async *batches(box: Outbox, stream: Stream): AsyncGenerator<Uint8Array> {
    while (!this.stopped && box.stream === stream) {
      if (box.frames.length === 0) {
        await new Promise<void>((resolve) => (box.wake = resolve));
        box.wake = null;
        continue;
      }
      const frames = box.frames;
      box.frames = [];
      box.bytes = 0;
      this.stats.framesSent += frames.length;
      yield encodeFrames(frames);
    }
  }

  private async receive(from: string, stream: Stream): Promise<void> {
    if (!this.allow(from)) {
      this.stats.streamsRefused++;
      stream.abort(new Error('peer is not a cluster member'));
      return;
    }
    const decoder = new FrameDecoder(MAX_RAFT_FRAME_BYTES);
    try {
      for await (const chunk of stream.source) {
        if (!this.allow(from)) {
          this.stats.streamsRefused++;
          stream.abort(new Error('peer is no longer a cluster member'));
          return;
        }
        for (const frame of decoder.push(chunk.subarray())) {
          this.stats.framesReceived++;
          try {
            this.handler(from, frame);
          } catch (err) {
            this.log.warn({ peer: from, err: (err as Error).message }, 'raft frame handler threw');
          }
        }
      }
    } catch (err) {
      this.stats.badStreams++;
      this.log.debug({ peer: from, err: (err as Error).message }, 'raft inbound stream failed');
      stream.abort(err as Error);
    }
  }
}
