/**
 * The node's DNS server for its tasks, on UDP and TCP port 53 of the cluster
 * DNS address. Names shoal owns are answered from the local replica at query
 * time (so answers follow the state as soon as it is applied; TTL 0); every
 * other name is forwarded to the host's resolvers. Wire format: dns-packet.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import dnsPacket, { type Packet, type Answer } from 'dns-packet';
import type { Logger } from 'pino';

export type Resolve = (source: string, name: string) => { found: true; addresses: string[] } | { found: false };

export interface DnsServerOptions {
  address: string;
  port?: number;
  resolve: Resolve;
  /** Upstream resolvers (ip or ip:port); default: the nameservers of /etc/resolv.conf. */
  upstreams?: string[];
  logger: Logger;
}

const FORWARD_TIMEOUT_MS = 3000;
const MAX_TCP_MESSAGE = 65535;

export function hostResolvers(path = '/etc/resolv.conf', exclude: string[] = []): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined && !exclude.includes(x) && !x.includes(':'));
  } catch {
    return [];
  }
}

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly upstreams: string[];
  queries = 0;
  forwarded = 0;

  constructor(private readonly opts: DnsServerOptions) {
    this.upstreams = opts.upstreams ?? hostResolvers('/etc/resolv.conf', [opts.address]);
  }

  async start(): Promise<void> {
    const port = this.opts.port ?? 53;
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      void this.answer(msg, rinfo.address).then(
        (reply) => reply && udp.send(reply, rinfo.port, rinfo.address),
        () => undefined,
      );
    });
    udp.on('error', (err) => this.opts.logger.warn({ err }, 'dns udp socket error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, this.opts.address, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    const tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(udp.address().port, this.opts.address, () => resolve());
    });
    this.tcp = tcp;
  }

  /** The bound port (useful when started on port 0). */
  port(): number {
    return this.udp?.address().port ?? 0;
  }

  async stop(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
  }

  private serveTcp(sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.answer(msg, sock.remoteAddress?.replace(/^::ffff:/, '') ?? '').then((reply) => {
          if (!reply || sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([head, reply]));
        });
      }
      if (buf.length > MAX_TCP_MESSAGE + 2) sock.destroy();
    });
  }

  /** The reply bytes for a query, or undefined for garbage (dropped, never a crash). */
  async answer(msg: Buffer, source: string): Promise<Buffer | undefined> {
    let q: Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    const question = q.questions?.[0];
    if (!question || q.type !== 'query') return undefined;
    this.queries++;
    const hit = question.class === 'IN' && (question.type === 'A' || question.type === 'AAAA') ? this.opts.resolve(source, question.name) : { found: false as const };
    if (!hit.found) return this.forward(msg, q);
    const answers: Answer[] =
      question.type === 'AAAA' ? [] : hit.addresses.map((a) => ({ type: 'A' as const, name: question.name, class: 'IN' as const, ttl: 0, data: a }));
    return dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [question], answers });
  }

  private async forward(msg: Buffer, q: Packet): Promise<Buffer> {
    this.forwarded++;
    for (const upstream of this.upstreams) {
      const [host, port] = upstream.split(':');
      const reply = await udpExchange(msg, host!, Number(port ?? 53)).catch(() => undefined);
      if (reply) return reply;
    }
    return dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE | 2 /* SERVFAIL */, questions: q.questions ?? [] });
  }
}

function udpExchange(msg: Buffer, host: string, port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('upstream timeout'));
    }, FORWARD_TIMEOUT_MS);
    sock.on('message', (reply) => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(msg, port, host);
  });
}
