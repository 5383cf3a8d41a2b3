// The docker driver against a real engine: the conformance suite plus what only containers do.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { ErrorCode, type ShoalError } from '@shoal/types';
import { Agent } from '../src/agent.js';
import { DockerDriver } from '../src/docker-driver.js';
import { runDriverConformance } from './conformance.js';
import { TEST_IMAGE, dockerSkipReason } from './docker-env.js';
import { waitFor } from '@shoal/testkit';
import { ReportLog, makeTask, silentLogger } from './helpers.js';

const skip = await dockerSkipReason();

runDriverConformance({
  name: 'docker',
  skip,
  makeDriver: (nodeId) => new DockerDriver({ nodeId }),
  baseSpec: { driver: 'docker', image: TEST_IMAGE },
});

describe('docker driver specifics', { skip, timeout: 120_000 }, () => {
  const nodeId = `docker-only-${randomUUID().slice(0, 8)}`;
  const driver = new DockerDriver({ nodeId });
  const docker = new Docker();
  const agents: Agent[] = [];
  const start = async () => {
    const log = new ReportLog();
    const agent = new Agent({ nodeId, drivers: [driver], report: log.report, logger: silentLogger, pollMs: 100 });
    agents.push(agent);
    await agent.start();
    return { log, agent };
  };

  after(async () => {
    for (const a of agents) await a.stop();
    for (const h of await driver.list()) await driver.remove(h).catch(() => undefined);
  });

  test('a published port answers (host mode port binding)', async () => {
    const { log, agent } = await start();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const t = makeTask({ name: 'www', driver: 'docker', image: TEST_IMAGE, command: ['httpd', '-f', '-p', '80', '-h', '/www'], ports: [{ published: port, target: 80 }] }, { nodeId });
    agent.reconcile([t]);
    await waitFor('running', () => log.last(t.id)?.state === 'running', { timeoutMs: 60_000 });
    const body = await waitFor('HTTP answer', async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return res.ok && (await res.text());
      } catch {
        return false;
      }
    }, { timeoutMs: 20_000, everyMs: 100 });
    assert.equal(body.trim(), 'shoal ok');
  });

  test('labels, name, limits and restart policy are set on the container', async () => {
    const { log, agent } = await start();
    const t = makeTask(
      { name: 'lbl', driver: 'docker', image: TEST_IMAGE, command: ['sleep', '60'], labels: { team: 'a' }, resources: { limits: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024 } }, workdir: '/tmp', env: { FOO: 'bar' } },
      { nodeId, slot: 3 },
    );
    agent.reconcile([t]);
    await waitFor('running', () => log.last(t.id)?.state === 'running', { timeoutMs: 60_000 });
    const info = await docker.getContainer(log.last(t.id)!.containerId!).inspect();
    assert.equal(info.Name, `/shoal-lbl-3-${t.id.slice(0, 8)}`);
    assert.deepEqual(
      { task: info.Config.Labels['shoal.task'], service: info.Config.Labels['shoal.service'], node: info.Config.Labels['shoal.node'], slot: info.Config.Labels['shoal.slot'], team: info.Config.Labels.team },
      { task: t.id, service: 'lbl', node: nodeId, slot: '3', team: 'a' },
    );
    assert.equal(info.HostConfig.NanoCpus, 500_000_000);
    assert.equal(info.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(info.HostConfig.RestartPolicy?.Name, 'no');
    assert.equal(info.Config.WorkingDir, '/tmp');
    assert.ok(info.Config.Env.includes('FOO=bar'));
    assert.ok(info.Config.Env.includes(`SHOAL_TASK_ID=${t.id}`));
    const stats = await agent.stats(t.id);
    assert.ok(stats && stats.memoryBytes > 0 && stats.memoryBytes < 64 * 1024 * 1024, `stats: ${JSON.stringify(stats)}`);
  });

  test('a missing image that cannot be pulled is IMAGE_NOT_FOUND, and the agent rejects the task', async () => {
    const missing = `shoal-test/absent-${randomUUID().slice(0, 8)}:1`;
    await assert.rejects(
      driver.prepare(makeTask({ name: 'x', image: missing }, { nodeId })),
      (err: ShoalError) => err.code === ErrorCode.ImageNotFound && err.message.includes(missing),
    );
    const { log, agent } = await start();
    const t = makeTask({ name: 'x', driver: 'docker', image: missing }, { nodeId });
    agent.reconcile([t]);
    await waitFor('rejected', () => log.last(t.id)?.state === 'rejected', { timeoutMs: 60_000 });
    assert.match(log.last(t.id)!.error!, /could not be pulled/);
  });

  test('an engine that is not running is DRIVER_UNAVAILABLE', async () => {
    const down = new DockerDriver({ nodeId, docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) });
    assert.equal(await down.available(), false);
    await assert.rejects(down.prepare(makeTask({ name: 'x', image: TEST_IMAGE }, { nodeId })), (err: ShoalError) => err.code === ErrorCode.DriverUnavailable);
    await assert.rejects(down.list(), (err: ShoalError) => err.code === ErrorCode.DriverUnavailable);
  });
});
