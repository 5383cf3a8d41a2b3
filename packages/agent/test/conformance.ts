/**
 * The driver conformance suite: the same behaviours asked of every real
 * driver, through the real agent. Each driver's test file runs it.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ServiceSpec, Task } from '@shoal/types';
import { Agent } from '../src/agent.js';
import type { Driver, LogLine } from '../src/driver.js';
import { waitFor } from '@shoal/testkit';
import { ReportLog, makeTask, silentLogger } from './helpers.js';

export interface ConformanceHarness {
  name: string;
  /** A reason to skip the whole suite (e.g. no Docker engine here), or false. */
  skip: string | false;
  /** A fresh driver instance, as a restarted agent would make. */
  makeDriver(nodeId: string): Driver;
  /** What every task of this driver needs (image, driver name). */
  baseSpec: Partial<ServiceSpec>;
  /** Releases a driver instance's own timers (tasks keep running). */
  close?(driver: Driver): void;
}

const sh = (script: string): Partial<ServiceSpec> => ({ command: ['/bin/sh', '-c', script] });

async function collect(it: AsyncIterable<LogLine>, max = 1000): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of it) {
    out.push(l);
    if (out.length >= max) break;
  }
  return out;
}

export function runDriverConformance(h: ConformanceHarness): void {
  describe(`${h.name} driver conformance`, { skip: h.skip || false, timeout: 120_000 }, () => {
    const nodeId = `conf-${h.name}-${randomUUID().slice(0, 8)}`;
    const drivers: Driver[] = [];
    const newDriver = () => {
      const d = h.makeDriver(nodeId);
      drivers.push(d);
      return d;
    };
    const agents: Agent[] = [];
    const newAgent = (driver: Driver, log: ReportLog) => {
      const a = new Agent({ nodeId, drivers: [driver], report: log.report, logger: silentLogger, pollMs: 100 });
      agents.push(a);
      return a;
    };
    const task = (spec: Partial<ServiceSpec>, over: Partial<Task> = {}) =>
      makeTask({ name: `conf-${h.name}`, ...h.baseSpec, ...spec }, { nodeId, ...over });

    after(async () => {
      for (const a of agents) await a.stop().catch(() => undefined);
      const d = h.makeDriver(nodeId);
      for (const handle of await d.list()) await d.remove(handle).catch(() => undefined);
      for (const x of [...drivers, d]) h.close?.(x);
    });

    test('starts a task, reports it running, lists it, and gives it its identity in env', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const t = task({ ...sh('echo "id=$SHOAL_TASK_ID slot=$SHOAL_SLOT node=$SHOAL_NODE_ID svc=$SHOAL_SERVICE"; exec sleep 60'), stopGracePeriodMs: 500 });
      agent.reconcile([t]);
      await waitFor('running', () => log.last(t.id)?.state === 'running', { timeoutMs: 60_000 });
      const states = log.states(t.id);
      assert.equal(states.at(-1), 'running');
      assert.ok(log.last(t.id)!.containerId, 'the report names the container or process');
      const handles = await driver.list();
      assert.deepEqual(handles.filter((x) => x.taskId === t.id).map((x) => x.ref), [log.last(t.id)!.containerId]);
      const lines = await waitFor('identity in logs', async () => {
        const l = await collect(agent.logs(t.id, { follow: false }));
        return l.some((x) => x.line.startsWith('id=')) && l;
      });
      assert.equal(lines.find((x) => x.line.startsWith('id='))!.line, `id=${t.id} slot=${t.slot} node=${nodeId} svc=conf-${h.name}`);
      agent.reconcile([{ ...log.applied(t), desiredState: 'remove' }]);
      await waitFor('shutdown', () => log.last(t.id)?.state === 'shutdown', { timeoutMs: 30_000 });
      await waitFor('removed', async () => !(await driver.list()).some((x) => x.taskId === t.id));
    });

    test('maps exit code 0 to complete and a non-zero exit to failed with the code', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const ok = task(sh('exit 0'));
      const bad = task(sh('echo bye; exit 7'));
      agent.reconcile([ok, bad]);
      await waitFor('exits', () => log.last(ok.id)?.state === 'complete' && log.last(bad.id)?.state === 'failed', { timeoutMs: 60_000 });
      assert.equal(log.last(ok.id)!.exitCode, 0);
      assert.equal(log.last(bad.id)!.exitCode, 7);
      assert.match(log.last(bad.id)!.message, /exited with code 7/);
    });

    test('logs: stdout and stderr lines with their stream, tail and follow', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const t = task(sh('echo out1; echo err1 >&2; echo out2; sleep 1; echo late; sleep 60'));
      agent.reconcile([t]);
      await waitFor('running', () => log.last(t.id)?.state === 'running', { timeoutMs: 60_000 });
      const all = await waitFor('first lines', async () => {
        const l = await collect(agent.logs(t.id, { follow: false }));
        return l.length >= 3 && l;
      });
      assert.deepEqual(all.filter((l) => l.stream === 'stdout').map((l) => l.line).slice(0, 2), ['out1', 'out2']);
      assert.deepEqual(all.filter((l) => l.stream === 'stderr').map((l) => l.line), ['err1']);
      assert.ok(all.every((l) => Number.isFinite(l.ts) && l.ts > 0));
      const tail = await collect(agent.logs(t.id, { follow: false, tail: 1 }));
      // Docker counts the tail over both streams, exec per stream: either way only the newest lines.
      assert.ok(tail.length >= 1 && tail.length <= 2, `tail: ${JSON.stringify(tail)}`);
      assert.ok(tail.every((l) => ['out2', 'err1', 'late'].includes(l.line)), `tail: ${JSON.stringify(tail)}`);
      const ac = new AbortController();
      const followed: string[] = [];
      const done = (async () => {
        for await (const l of agent.logs(t.id, { follow: true, signal: ac.signal })) {
          followed.push(l.line);
          if (l.line === 'late') ac.abort();
        }
      })();
      await waitFor('followed line', () => followed.includes('late'), { timeoutMs: 20_000 });
      ac.abort();
      await done.catch(() => undefined);
    });

    test('stop honours the grace period: a process trapping SIGTERM exits cleanly, one ignoring it is killed after the grace', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const polite = task(sh("trap 'echo got-term; sleep 1; exit 0' TERM; echo ready; while true; do sleep 0.1; done"), { slot: 1 });
      const stubborn = task(sh("trap 'echo ignoring' TERM; echo ready; while true; do sleep 0.1; done"), { slot: 2 });
      agent.reconcile([polite, stubborn]);
      await waitFor('running', () => log.last(polite.id)?.state === 'running' && log.last(stubborn.id)?.state === 'running', { timeoutMs: 60_000 });
      for (const t of [polite, stubborn]) {
        await waitFor('ready', async () => (await collect(agent.logs(t.id, { follow: false }))).some((l) => l.line === 'ready'));
      }
      const [hp, hs] = (await driver.list()).filter((x) => x.taskId === polite.id || x.taskId === stubborn.id).sort((a) => (a.taskId === polite.id ? -1 : 1));
      let t0 = Date.now();
      await driver.stop(hp, 10_000);
      const politeMs = Date.now() - t0;
      assert.ok(politeMs >= 900 && politeMs < 9000, `trapping process stopped after ${politeMs} ms (expected its 1 s cleanup, not the 10 s grace)`);
      assert.equal((await driver.inspect(hp))?.exitCode, 0);
      t0 = Date.now();
      await driver.stop(hs, 1500);
      const stubbornMs = Date.now() - t0;
      const killed = await driver.inspect(hs);
      assert.equal(killed?.running, false);
      assert.equal(killed?.exitCode, 137, 'killed after the grace period');
      assert.ok(stubbornMs >= 1400 && stubbornMs < 8000, `process ignoring SIGTERM killed after ${stubbornMs} ms (grace 1.5 s, docker rounds up to 2 s)`);
      assert.ok((await collect(agent.logs(polite.id, { follow: false }))).some((l) => l.line === 'got-term'));
    });

    test('desired shutdown through the agent reports shutdown, not failed, and removes the task', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const t = task({ ...sh('exec sleep 60'), stopGracePeriodMs: 2000 });
      agent.reconcile([t]);
      await waitFor('running', () => log.last(t.id)?.state === 'running', { timeoutMs: 60_000 });
      agent.reconcile([{ ...log.applied(t), desiredState: 'shutdown' }]);
      await waitFor('shutdown', () => log.last(t.id)?.state === 'shutdown', { timeoutMs: 30_000 });
      assert.ok(!log.states(t.id).includes('failed'));
      await waitFor('removed', async () => !(await driver.list()).some((x) => x.taskId === t.id));
    });

    test('a health check turning unhealthy fails the task with the check output', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const t = task({
        ...sh('exec sleep 60'),
        healthcheck: { test: ['CMD-SHELL', 'echo sick-check; exit 1'], intervalMs: 200, timeoutMs: 2000, retries: 2 },
        stopGracePeriodMs: 1000,
      });
      agent.reconcile([t]);
      await waitFor('failed', () => log.last(t.id)?.state === 'failed', { timeoutMs: 60_000 });
      assert.ok(log.states(t.id).includes('running'));
      assert.match(log.last(t.id)!.message, /^health check failed: .*sick-check/);
    });

    test('a healthy task reports its health', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const t = task({ ...sh('exec sleep 60'), healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 200, timeoutMs: 2000, retries: 1 } });
      agent.reconcile([t]);
      await waitFor('healthy', () => log.last(t.id)?.health === 'healthy', { timeoutMs: 60_000 });
      assert.equal(log.last(t.id)!.state, 'running');
    });

    test('a restarted agent adopts its running tasks (no second start) and removes orphans', async () => {
      const driver1 = newDriver();
      const log1 = new ReportLog();
      const agent1 = newAgent(driver1, log1);
      await agent1.start();
      const kept = task(sh('echo started-once; sleep 3; exit 5'), { slot: 1 });
      const orphan = task(sh('exec sleep 60'), { slot: 2 });
      agent1.reconcile([kept, orphan]);
      await waitFor('running', () => log1.last(kept.id)?.state === 'running' && log1.last(orphan.id)?.state === 'running', { timeoutMs: 60_000 });
      const ref = log1.last(kept.id)!.containerId;
      await agent1.stop(); // the agent goes away; its tasks keep running
      h.close?.(driver1);

      const driver2 = newDriver();
      const log2 = new ReportLog();
      const agent2 = newAgent(driver2, log2);
      await agent2.start();
      agent2.reconcile([log1.applied(kept)]); // the replica: kept is running, orphan no longer exists
      await waitFor('orphan removed', async () => !(await driver2.list()).some((x) => x.taskId === orphan.id), { timeoutMs: 30_000 });
      const mine = (await driver2.list()).filter((x) => x.taskId === kept.id);
      assert.deepEqual(mine.map((x) => x.ref), [ref], 'the same process, not a second one');
      await waitFor('adopted exit reported', () => log2.last(kept.id)?.state === 'failed', { timeoutMs: 30_000 });
      assert.equal(log2.last(kept.id)!.exitCode, 5);
      const lines = await collect(agent2.logs(kept.id, { follow: false }));
      assert.equal(lines.filter((l) => l.line === 'started-once').length, 1);
    });

    test('list() returns only this node\'s tasks', async () => {
      const driver = newDriver();
      const log = new ReportLog();
      const agent = newAgent(driver, log);
      await agent.start();
      const t = task(sh('exec sleep 60'));
      agent.reconcile([t]);
      await waitFor('running', () => log.last(t.id)?.state === 'running', { timeoutMs: 60_000 });
      const other = h.makeDriver(`${nodeId}-other`);
      assert.ok(!(await other.list()).some((x) => x.taskId === t.id));
      h.close?.(other);
      assert.ok((await driver.list()).some((x) => x.taskId === t.id));
    });
  });
}
