import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { checkNetworkTools } from '../src/network/host-command.js';
import { DnsServer } from '../src/network/dns-server.js';
import { containerSpec } from '../src/docker-container-spec.js';
import { silentLogger } from './helpers.js';
import type { Task } from '@shoal/types';

test('a missing nft names the Debian package and the flag that turns networking off', async () => {
  const run = async (file: string) => {
    if (file === 'nft') throw new Error('ENOENT');
    return '';
  };
  await assert.rejects(checkNetworkTools(run), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'BAD_CONFIG');
    assert.match(err.message, /`nftables` package \(apt-get install nftables\)/);
    assert.match(err.message, /--network off/);
    return true;
  });
  await checkNetworkTools(async () => '');
});

function udpQuery(port: number, name: string, type: 'A' | 'AAAA' = 'A'): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg) => {
      sock.close();
      resolve(dnsPacket.decode(msg));
    });
    sock.on('error', reject);
    sock.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }), port, '127.0.0.1');
  });
}

const datas = (p: dnsPacket.Packet) => p.answers?.map((x) => (x as { data: unknown }).data);

function tcpQuery(port: number, name: string): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(dnsPacket.streamEncode({ type: 'query', id: 9, questions: [{ type: 'A', name, class: 'IN' }] })));
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.end();
        resolve(dnsPacket.streamDecode(buf));
      }
    });
    sock.on('error', reject);
  });
}

test('the DNS server answers owned names over UDP and TCP, answers owned names with no task empty, and forwards the rest', async () => {
  // An upstream that answers every forwarded name with 192.0.2.1.
  const upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, r) => {
    const q = dnsPacket.decode(msg);
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, questions: q.questions, answers: [{ type: 'A', name: q.questions![0]!.name, data: '192.0.2.1' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  const sources: string[] = [];
  const server = new DnsServer({
    address: '127.0.0.1',
    port: 0,
    upstreams: [`127.0.0.1:${upstream.address().port}`],
    logger: silentLogger,
    resolve: (source, name) => {
      sources.push(source);
      if (name === 'redis') return { found: true, addresses: ['10.210.0.2'] };
      if (name === 'tasks.idle') return { found: true, addresses: [] };
      return { found: false };
    },
  });
  await server.start();
  try {
    const port = server.port();
    const a = await udpQuery(port, 'redis');
    assert.deepEqual(datas(a), ['10.210.0.2']);
    assert.equal(a.id, 7);
    assert.deepEqual((await udpQuery(port, 'redis', 'AAAA')).answers, [], 'owned names have no IPv6 records, answered at once');
    assert.deepEqual((await udpQuery(port, 'tasks.idle')).answers, []);
    assert.deepEqual(datas(await tcpQuery(port, 'redis')), ['10.210.0.2']);
    assert.deepEqual(datas(await udpQuery(port, 'example.org')), ['192.0.2.1'], 'forwarded upstream');
    assert.equal(server.forwarded, 1);
    assert.ok(sources.every((s) => s === '127.0.0.1'), 'the asking address is what names are resolved for');
    assert.equal(await server.answer(Buffer.from('garbage'), '127.0.0.1'), undefined, 'garbage is dropped, not a crash');
  } finally {
    await server.stop();
    upstream.close();
  }
});

test('with networking, a docker task joins its primary network with the DNS address and publishes only host-mode ports', () => {
  const task = {
    id: 't1234567890', serviceId: 's1', serviceName: 'web', serviceVersion: 1, slot: 1, nodeId: 'n1', desiredState: 'running',
    status: { state: 'assigned', timestamp: 0, message: '' }, createdAt: 0, updatedAt: 0,
    spec: { name: 'web', image: 'x', ports: [{ published: 8000, target: 5000 }, { published: 9000, target: 9000, mode: 'host' }] },
  } as Task;
  const spec = containerSpec(task, 'n1', { networks: [{ docker: 'shoal-app_default', network: 'app_default', aliases: ['www'] }], dns: ['10.210.255.254'] });
  assert.equal(spec.HostConfig!.NetworkMode, 'shoal-app_default');
  assert.deepEqual(spec.HostConfig!.Dns, ['10.210.255.254']);
  assert.deepEqual(spec.HostConfig!.PortBindings, { '9000/tcp': [{ HostPort: '9000' }] });
  assert.deepEqual(spec.NetworkingConfig, { EndpointsConfig: { 'shoal-app_default': { Aliases: ['www'] } } });
  const plain = containerSpec(task, 'n1');
  assert.deepEqual(Object.keys(plain.HostConfig!.PortBindings as object).sort(), ['5000/tcp', '9000/tcp'], 'without networking every port is bound on the node, as before');
});
