/**
 * libp2p's private-network protector (the pnet wire format: a 24-byte
 * nonce each way, then XSalsa20 under the PSK), but with a key ring, so a
 * cluster can change its PSK without a moment in which nodes cannot talk.
 *
 * @libp2p/pnet takes one key. Here each direction of a connection is
 * encrypted under the key its *sender* chose, and the receiver finds out
 * which of the keys it accepts that is: every libp2p connection starts with
 * the multistream-select header, 20 known bytes, so the receiver decrypts
 * them under each accepted key and keeps the one that yields the header.
 * The side that speaks first (the dialer) uses its dial key; the other side
 * answers under the key it detected. Two nodes can talk when the listener
 * accepts the dialer's key, which is what the rotation phases guarantee.
 * A peer holding no accepted key fails at its first 20 bytes, as with pnet.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionProtector, MultiaddrConnection, AbortOptions } from '@libp2p/interface';
import { byteStream } from 'it-byte-stream';
import { duplexPair } from 'it-pair/duplex';
import { pipe } from 'it-pipe';
import xsalsa20 from 'xsalsa20';
import type { PskRing } from './psk-ring.js';

const NONCE_LENGTH = 24;
/** varint 19, then "/multistream/1.0.0\n": the first bytes of every libp2p connection, both ways. */
export const MULTISTREAM_HEADER = Uint8Array.from([0x13, ...new TextEncoder().encode('/multistream/1.0.0\n')]);

type Chunk = { subarray(): Uint8Array };

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Decrypts the peer's stream, finding its key from the header. */
function unbox(nonce: Uint8Array, accepted: Uint8Array[], onKey: (k: Uint8Array) => void) {
  return (source: AsyncIterable<Chunk>) =>
    (async function* () {
      let xor: ReturnType<typeof xsalsa20> | null = null;
      let head: Uint8Array = new Uint8Array(0);
      for await (const chunk of source) {
        const data = chunk.subarray();
        if (xor) {
          yield Uint8Array.from(xor.update(data));
          continue;
        }
        head = concat(head, data);
        if (head.length < MULTISTREAM_HEADER.length) continue;
        for (const key of accepted) {
          const x = xsalsa20(nonce, key);
          const plain = Uint8Array.from(x.update(head));
          if (equal(plain.subarray(0, MULTISTREAM_HEADER.length), MULTISTREAM_HEADER)) {
            xor = x;
            onKey(key);
            yield plain;
            break;
          }
        }
        if (!xor) throw new Error('the peer does not hold a cluster key this node accepts');
      }
    })();
}

/** Encrypts our stream under the key the peer used if it spoke first, else under our dial key. */
function box(nonce: Uint8Array, chooseKey: () => Uint8Array) {
  return (source: AsyncIterable<Chunk>) =>
    (async function* () {
      let xor: ReturnType<typeof xsalsa20> | null = null;
      for await (const chunk of source) {
        xor ??= xsalsa20(nonce, chooseKey());
        yield Uint8Array.from(xor.update(chunk.subarray()));
      }
    })();
}

class RotatingPnetProtector implements ConnectionProtector {
  constructor(
    private readonly ring: PskRing,
    private readonly timeoutMs: number,
  ) {}

  readonly [Symbol.toStringTag] = '@shoal/rotating-pnet';

  async protect(connection: MultiaddrConnection, options?: AbortOptions): Promise<MultiaddrConnection> {
    const localNonce = new Uint8Array(randomBytes(NONCE_LENGTH));
    const signal = options?.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
    const bytes = byteStream(connection);
    const [, result] = await Promise.all([bytes.write(localNonce, { signal }), bytes.read({ bytes: NONCE_LENGTH, signal })]);
    const remoteNonce = result.subarray();
    // Keys are read once per connection: a ring change applies to new connections.
    const accepted = this.ring.accepts();
    const dial = this.ring.dial();
    let peerKey: Uint8Array | null = null;
    const [internal, external] = duplexPair<Uint8Array>();
    pipe(
      external,
      box(localNonce, () => peerKey ?? dial),
      bytes.unwrap() as never,
      unbox(remoteNonce, accepted, (k) => {
        peerKey = k;
        this.ring.noteSeen(k);
      }) as never,
      external,
    ).catch((err: Error) => connection.log?.error?.('pnet stream failed: %s', err.message));
    return { ...connection, ...internal } as MultiaddrConnection;
  }
}

/** A connectionProtector for createLibp2p, reading its keys from `ring`. */
export function rotatingPreSharedKey(ring: PskRing, opts: { timeoutMs?: number } = {}): () => ConnectionProtector {
  return () => new RotatingPnetProtector(ring, opts.timeoutMs ?? 5000);
}
