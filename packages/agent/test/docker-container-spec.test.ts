// The task -> container mapping, checked without an engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerSpec } from '../src/docker-container-spec.js';
import { demuxLogLines } from '../src/docker-log-stream.js';
import { makeTask } from './helpers.js';

test('maps command/args, ports, limits, mounts, health check (ns) and stop settings', () => {
  const t = makeTask({
    name: 'web',
    image: 'nginx:1',
    command: ['/entry'],
    args: ['-x'],
    ports: [{ published: 8080, target: 80 }, { published: 5353, target: 53, protocol: 'udp' }],
    resources: { limits: { cpus: 1.5, memoryBytes: 1 << 28 } },
    mounts: [{ type: 'bind', source: '/data', target: '/d', readOnly: true }, { type: 'tmpfs', target: '/t' }],
    healthcheck: { test: ['CMD', 'true'], intervalMs: 500, timeoutMs: 2000, retries: 4, startPeriodMs: 1000 },
    stopSignal: 'SIGQUIT',
    stopGracePeriodMs: 2500,
    devices: ['/dev/fuse'],
  }, { slot: 2 });
  const c = containerSpec(t, 'node-9');
  assert.equal(c.name, `shoal-web-2-${t.id.slice(0, 8)}`);
  assert.deepEqual(c.Entrypoint, ['/entry']);
  assert.deepEqual(c.Cmd, ['-x']);
  assert.deepEqual(c.HostConfig!.PortBindings, { '80/tcp': [{ HostPort: '8080' }], '53/udp': [{ HostPort: '5353' }] });
  assert.deepEqual(Object.keys(c.ExposedPorts!), ['80/tcp', '53/udp']);
  assert.equal(c.HostConfig!.NanoCpus, 1_500_000_000);
  assert.equal(c.HostConfig!.Memory, 1 << 28);
  assert.deepEqual(c.HostConfig!.RestartPolicy, { Name: 'no' });
  assert.deepEqual(c.HostConfig!.Mounts, [
    { Type: 'bind', Source: '/data', Target: '/d', ReadOnly: true },
    { Type: 'tmpfs', Source: '', Target: '/t', ReadOnly: false },
  ]);
  assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'true'], Interval: 500e6, Timeout: 2000e6, Retries: 4, StartPeriod: 1000e6 });
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.equal(c.StopTimeout, 3);
  assert.deepEqual(c.HostConfig!.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }]);
  assert.equal(c.Labels!['shoal.node'], 'node-9');
});

test('hostname and user reach the container config', () => {
  const c = containerSpec(makeTask({ image: 'x', hostname: 'db-primary', user: '999:999' }), 'n');
  assert.equal(c.Hostname, 'db-primary');
  assert.equal(c.User, '999:999');
});

test('without command or healthcheck the image defaults apply', () => {
  const c = containerSpec(makeTask({ image: 'x' }), 'n');
  assert.equal(c.Entrypoint, undefined);
  assert.equal(c.Cmd, undefined);
  assert.equal(c.Healthcheck, undefined);
  assert.equal(c.Hostname, undefined);
  assert.equal(c.User, undefined);
});

test('demultiplexes Docker log frames into timestamped lines per stream, across chunk boundaries', async () => {
  const frame = (stream: number, text: string) => {
    const payload = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(payload.length, 4);
    return Buffer.concat([head, payload]);
  };
  const all = Buffer.concat([frame(1, '2024-01-02T03:04:05.123456789Z hello\n'), frame(2, '2024-01-02T03:04:06Z oops\n2024-01-02T03:04:07Z '), frame(2, 'again\n')]);
  const chunks = [all.subarray(0, 5), all.subarray(5, 40), all.subarray(40)];
  const lines = [];
  for await (const l of demuxLogLines(chunks)) lines.push(l);
  assert.deepEqual(lines, [
    { stream: 'stdout', line: 'hello', ts: Date.parse('2024-01-02T03:04:05.123Z') },
    { stream: 'stderr', line: 'oops', ts: Date.parse('2024-01-02T03:04:06Z') },
    { stream: 'stderr', line: 'again', ts: Date.parse('2024-01-02T03:04:07Z') },
  ]);
});
