/**
 * The node agent: makes the tasks assigned to this node (as read from the
 * local replica) real through a driver, and reports what it observes.
 *
 * Each task has one sequential action loop: a reconcile only records the
 * latest task and wakes the loop, so concurrent reconciles never race two
 * starts of one task. `started` is set before `driver.start()` and never
 * cleared, and after an agent restart the drivers' `list()` hands back what
 * is already running before any task is considered for a start.
 */
import { ErrorCode, ShoalError, isShoalError, type DriverName, type Task, type TaskHealth, type TaskState, type TaskStatus } from '@shoal/types';
import type { Logger } from 'pino';
import type { Driver, DriverTaskState, LogLine, LogOptions, TaskHandle, TaskStats } from './driver.js';
import { Limiter } from './limiter.js';
import { StatusReporter, type ReportFn } from './status-reporter.js';
import { stopGraceMs } from './task-env.js';
import { isTerminal, stateRank } from './task-state-order.js';
import { TaskFiles } from './secrets/task-files.js';

/** Every this many polls, tasks without a health check are inspected too. */
const FULL_SWEEP = 10;

export interface AgentOptions {
  nodeId: string;
  drivers: Driver[];
  report: ReportFn;
  logger: Logger;
  now?: () => number;
  /** Driver operations (prepare, start, stop, remove) at once; default 8. */
  concurrency?: number;
  /** How often running tasks are inspected (exit, health); default 1000 ms. */
  pollMs?: number;
  /** Delivers secrets and configs as files (see secrets/task-files.ts). */
  files?: TaskFiles;
  /**
   * Service networking: how long a task that is a network endpoint keeps
   * running after it leaves the load-balancing rules (its desired state
   * changed, or it was reported unhealthy) before it is sent the stop signal,
   * so every node's rules have dropped it and no new connection reaches a
   * stopping process. 0 (default) = stop at once.
   */
  drainMs?: number;
}

interface TaskEntry {
  task: Task;
  driver?: Driver;
  handle?: TaskHandle;
  /** The latest state this agent reported (the replica may lag behind it). */
  reported?: TaskState;
  reportedHealth?: TaskHealth;
  busy: boolean;
  dirty: boolean;
  /** driver.start() was called: never again for this task. */
  started: boolean;
  /** We are stopping it: its exit is a shutdown, not a failure. */
  stopping: boolean;
  /** Its exit has been observed and handled. */
  exited: boolean;
  watching: boolean;
  removed: boolean;
  gone: boolean;
  /** Set when a health check fails: the loop stops the task and reports it failed. */
  failure?: string;
  prepAbort?: AbortController;
  waitAbort?: AbortController;
}

export class Agent {
  private readonly entries = new Map<string, TaskEntry>();
  private readonly drivers = new Map<DriverName, Driver>();
  private readonly limiter: Limiter;
  private readonly reporter: StatusReporter;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly log: Logger;
  /** Handles found at start, by task id, until the first reconcile claims them. */
  private adopted: Map<string, { driver: Driver; handle: TaskHandle }[]> | null = null;
  private adopting: Promise<void> | null = null;
  private queuedTasks: Task[] | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollCount = 1;
  private running = false;
  private readonly loops = new Set<Promise<void>>();

  constructor(private readonly opts: AgentOptions) {
    for (const d of opts.drivers) this.drivers.set(d.name, d);
    this.limiter = new Limiter(opts.concurrency ?? 8);
    this.reporter = new StatusReporter(opts.report, opts.logger);
    this.now = opts.now ?? Date.now;
    this.pollMs = opts.pollMs ?? 1000;
    this.log = opts.logger.child({ node: opts.nodeId });
  }

  /** Adopts what the drivers already run for this node, then starts watching. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.adopting = this.adopt();
    await this.adopting;
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
    if (this.queuedTasks) {
      const tasks = this.queuedTasks;
      this.queuedTasks = null;
      this.reconcile(tasks);
    }
  }

  async stop(opts: { stopTasks?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const e of this.entries.values()) e.prepAbort?.abort();
    await Promise.allSettled([...this.loops]);
    if (opts.stopTasks) {
      await Promise.allSettled(
        [...this.entries.values()].filter((e) => e.handle && !e.exited).map(async (e) => {
          e.stopping = true;
          await this.limiter.run(() => e.driver!.stop(e.handle!, stopGraceMs(e.task), e.task.spec.stopSignal));
          this.push(e, { state: 'shutdown', message: 'stopped: the agent on this node shut down' });
        }),
      );
    }
    for (const e of this.entries.values()) e.waitAbort?.abort();
    await this.reporter.drain(2000);
    this.reporter.close();
  }

  /** The full set of tasks assigned to this node. Idempotent and cheap: it only wakes per-task loops. */
  reconcile(tasks: Task[]): void {
    if (!this.running || this.adopted === null) {
      this.queuedTasks = tasks; // before start() finished adopting: apply once it has
      return;
    }
    const mine = tasks.filter((t) => t.nodeId === this.opts.nodeId);
    const ids = new Set(mine.map((t) => t.id));
    for (const task of mine) {
      let entry = this.entries.get(task.id);
      if (!entry) {
        entry = { task, busy: false, dirty: false, started: false, stopping: false, exited: false, watching: false, removed: false, gone: false };
        const found = this.adopted.get(task.id)?.shift();
        if (found) Object.assign(entry, { driver: found.driver, handle: found.handle, started: true });
        this.entries.set(task.id, entry);
      }
      entry.task = task;
      if (task.desiredState !== 'running') entry.prepAbort?.abort();
      this.kick(entry);
    }
    for (const entry of this.entries.values()) {
      if (ids.has(entry.task.id)) continue;
      entry.gone = true;
      entry.prepAbort?.abort();
      this.kick(entry);
    }
    this.removeOrphans();
  }

  async *logs(taskId: string, opts: LogOptions): AsyncGenerator<LogLine> {
    const e = this.entries.get(taskId);
    if (!e?.handle || !e.driver) throw new ShoalError(ErrorCode.NotFound, `task ${taskId} has no process on this node (not started yet, or removed)`);
    yield* e.driver.logs(e.handle, opts);
  }

  async stats(taskId: string): Promise<TaskStats | null> {
    const e = this.entries.get(taskId);
    if (!e?.handle || !e.driver) return null;
    return e.driver.stats(e.handle);
  }

  private async adopt(): Promise<void> {
    const adopted = new Map<string, { driver: Driver; handle: TaskHandle }[]>();
    for (const driver of this.drivers.values()) {
      try {
        if (!(await driver.available())) continue;
        for (const handle of await driver.list()) {
          const list = adopted.get(handle.taskId) ?? [];
          list.push({ driver, handle });
          adopted.set(handle.taskId, list);
        }
      } catch (err) {
        this.log.warn({ err, driver: driver.name }, 'could not list the tasks this driver runs; they will not be adopted');
      }
    }
    this.adopted = adopted;
    if (adopted.size > 0) this.log.info({ tasks: adopted.size }, 'found tasks from a previous agent run');
  }

  /** Handles no task claimed in the first reconcile: leftovers of tasks that no longer exist. */
  private removeOrphans(): void {
    if (!this.adopted || this.adopted.size === 0) return;
    const orphans = [...this.adopted.values()].flat();
    this.adopted.clear();
    for (const { driver, handle } of orphans) {
      this.log.info({ task: handle.taskId, ref: handle.ref }, 'removing an orphaned task no assignment wants');
      this.track(this.limiter.run(() => driver.remove(handle)).catch((err) => this.log.warn({ err, task: handle.taskId }, 'could not remove an orphaned task')));
    }
  }

  private kick(entry: TaskEntry): void {
    if (entry.busy) {
      entry.dirty = true;
      return;
    }
    entry.busy = true;
    this.track(this.loop(entry));
  }

  private async loop(entry: TaskEntry): Promise<void> {
    try {
      do {
        entry.dirty = false;
        try {
          await this.step(entry);
        } catch (err) {
          this.log.error({ err, task: entry.task.id }, 'task action failed');
        }
      } while (entry.dirty && this.running);
    } finally {
      entry.busy = false;
    }
  }

  private track(p: Promise<void>): void {
    this.loops.add(p);
    void p.finally(() => this.loops.delete(p));
  }

  /** One decision for a task, from its desired state and what has been observed so far. */
  private async step(e: TaskEntry): Promise<void> {
    if (!this.running) return;
    if (e.gone) return this.forget(e);
    if (e.task.desiredState !== 'running') return this.shutdown(e);
    if (e.failure) return this.failUnhealthy(e);
    const current = this.current(e);
    if (isTerminal(current)) return;
    if (e.handle) return this.watch(e);
    if (e.started) return;
    if (stateRank(current) < stateRank('assigned')) return; // not placed yet (e.g. a global task just created)
    if (stateRank(current) >= stateRank('running')) {
      this.push(e, { state: 'failed', message: 'task process not found on this node after an agent restart', error: 'task process not found on this node' });
      return;
    }
    await this.launch(e);
  }

  private async launch(e: TaskEntry): Promise<void> {
    const name = e.task.spec.driver ?? 'docker';
    const driver = this.drivers.get(name);
    if (!driver) {
      this.push(e, { state: 'rejected', message: `driver ${name} is not enabled on this node`, error: `driver ${name} is not enabled on this node` });
      return;
    }
    e.driver = driver;
    this.push(e, { state: 'accepted', message: 'accepted by the node' });
    this.push(e, { state: 'preparing', message: driver.name === 'docker' ? 'preparing: checking and pulling the image' : 'preparing' });
    e.prepAbort = new AbortController();
    let runTask = e.task;
    try {
      await this.limiter.run(() => driver.prepare(e.task, (msg) => this.log.debug({ task: e.task.id, msg }, 'prepare progress'), e.prepAbort!.signal));
      if (this.opts.files && TaskFiles.wanted(e.task)) runTask = await this.opts.files.prepare(e.task, e.prepAbort.signal);
    } catch (err) {
      if (e.task.desiredState !== 'running' || e.gone) return; // cancelled: the loop runs again and shuts it down
      this.push(e, { state: 'rejected', message: `preparing failed: ${messageOf(err)}`, error: messageOf(err) });
      return;
    } finally {
      e.prepAbort = undefined;
    }
    if (e.task.desiredState !== 'running' || e.gone || !this.running) return;
    this.push(e, { state: 'starting', message: 'starting' });
    e.started = true;
    try {
      e.handle = await this.limiter.run(() => driver.start(runTask));
    } catch (err) {
      this.releaseFiles(e);
      this.push(e, { state: 'failed', message: `starting failed: ${messageOf(err)}`, error: messageOf(err) });
      return;
    }
    await this.watch(e, true);
  }

  /**
   * Reports a process running, and waits for its exit in the background. A
   * task we just started is running by definition (no extra inspect on the
   * start path; an immediate exit is seen by wait()); an adopted one is
   * inspected first.
   */
  private async watch(e: TaskEntry, fresh = false): Promise<void> {
    if (e.watching || e.exited) return;
    e.watching = true;
    const st: DriverTaskState | null = fresh ? { running: true, health: e.task.spec.healthcheck && e.task.spec.healthcheck.test[0] !== 'NONE' ? 'starting' : 'none' } : await this.inspect(e);
    if (!st?.running) return this.exitedOn(e, st);
    this.push(e, { state: 'running', message: 'running', health: st.health });
    e.waitAbort = new AbortController();
    e.driver!.wait(e.handle!, e.waitAbort.signal).then(
      async () => this.exitedOn(e, await this.inspect(e)),
      (err) => {
        if (!isShoalError(err) || err.code !== ErrorCode.Aborted) this.log.debug({ err, task: e.task.id }, 'wait ended');
      },
    );
  }

  /** The process ended on its own (not stopped by us): complete or failed. */
  private exitedOn(e: TaskEntry, st: DriverTaskState | null): void {
    if (e.exited || e.stopping) return;
    e.exited = true;
    e.waitAbort?.abort();
    this.releaseFiles(e);
    if (!st) {
      this.push(e, { state: 'failed', message: 'the task process disappeared (its container or state was removed outside shoal)', error: 'task process disappeared' });
    } else if (st.exitCode === 0) {
      this.push(e, { state: 'complete', message: 'exited with code 0', exitCode: 0 });
    } else {
      const why = st.error ? `: ${st.error}` : '';
      const code = st.exitCode ?? -1;
      this.push(e, { state: 'failed', message: `exited with code ${code}${why}`, error: st.error ?? `exit code ${code}`, exitCode: code });
    }
  }

  private async failUnhealthy(e: TaskEntry): Promise<void> {
    if (e.exited) return;
    e.stopping = true;
    e.exited = true;
    this.push(e, { state: 'running', message: e.failure!, health: 'unhealthy' }); // leaves the endpoints first
    await this.drain(e);
    await this.limiter.run(() => e.driver!.stop(e.handle!, stopGraceMs(e.task), e.task.spec.stopSignal));
    const st = await this.inspect(e);
    this.push(e, { state: 'failed', message: e.failure!, error: e.failure!, exitCode: st?.exitCode, health: 'unhealthy' });
  }

  private async shutdown(e: TaskEntry): Promise<void> {
    if (e.removed) return;
    if (e.handle) {
      e.stopping = true;
      const st = await this.inspect(e);
      if (st?.running) {
        await this.drain(e);
        await this.limiter.run(() => e.driver!.stop(e.handle!, stopGraceMs(e.task), e.task.spec.stopSignal));
      }
      e.waitAbort?.abort();
      this.push(e, { state: 'shutdown', message: `stopped (desired state ${e.task.desiredState})` });
      await this.limiter.run(() => e.driver!.remove(e.handle!));
      e.removed = true;
      this.releaseFiles(e);
    } else if (stateRank(this.current(e)) >= stateRank('assigned')) {
      this.push(e, { state: 'shutdown', message: 'shut down before it started' });
      e.removed = true;
    }
  }

  /** A network endpoint is already out of every node's rules (its state changed); give them time to apply it before the stop signal. */
  private async drain(e: TaskEntry): Promise<void> {
    const ms = this.opts.drainMs ?? 0;
    if (ms > 0 && e.handle?.addresses) await new Promise((r) => setTimeout(r, ms));
  }

  /** The task left this node's assignments: stop and clean up, nothing left to report to. */
  private async forget(e: TaskEntry): Promise<void> {
    this.entries.delete(e.task.id);
    this.reporter.forget(e.task.id);
    e.waitAbort?.abort();
    this.releaseFiles(e);
    if (!e.handle || e.removed) return;
    e.stopping = true;
    const st = await this.inspect(e);
    if (st?.running) await this.limiter.run(() => e.driver!.stop(e.handle!, stopGraceMs(e.task), e.task.spec.stopSignal));
    await this.limiter.run(() => e.driver!.remove(e.handle!));
  }

  /** Exits missed by wait(), health changes, and unhealthy tasks. */
  private async poll(): Promise<void> {
    if (this.polling || !this.running) return;
    this.polling = true;
    try {
      // Exits come from wait(); the poll is for health, so tasks without a known health
      // check are only swept every FULL_SWEEP polls (a missed exit, an image's own check).
      const sweep = this.pollCount++ % FULL_SWEEP === 0;
      const watched = [...this.entries.values()].filter(
        (e) => e.handle && e.watching && !e.exited && !e.stopping && !e.failure && (sweep || (e.reportedHealth !== undefined && e.reportedHealth !== 'none')),
      );
      await Promise.all(watched.map(async (e) => {
        const st = await this.inspect(e);
        if (e.exited || e.stopping) return;
        if (!st?.running) return this.exitedOn(e, st);
        if (st.health === 'unhealthy') {
          e.failure = `health check failed: ${st.error ?? 'unhealthy'}`;
          this.kick(e);
        } else if (st.health && st.health !== e.reportedHealth) {
          this.push(e, { state: 'running', message: 'running', health: st.health });
        }
      }));
    } finally {
      this.polling = false;
    }
  }

  /** A task's secret files go as soon as it stops needing them (exit, stop, removal). */
  private releaseFiles(e: TaskEntry): void {
    if (!this.opts.files || !TaskFiles.wanted(e.task)) return;
    this.opts.files.release(e.task.id).catch((err) => this.log.warn({ err, task: e.task.id }, 'could not remove the task\'s secret files'));
  }

  private async inspect(e: TaskEntry): Promise<DriverTaskState | null> {
    try {
      return await e.driver!.inspect(e.handle!);
    } catch (err) {
      this.log.warn({ err, task: e.task.id }, 'inspect failed');
      return { running: true }; // unknown: assume unchanged rather than report a false exit
    }
  }

  private current(e: TaskEntry): TaskState {
    const replica = e.task.status.state;
    return e.reported && stateRank(e.reported) > stateRank(replica) ? e.reported : replica;
  }

  /** Queues a report if it moves the task forward (or, while running, changes its health). Never out of a finished state. */
  private push(e: TaskEntry, s: Omit<TaskStatus, 'timestamp'>): void {
    const cur = this.current(e);
    if (isTerminal(cur)) return; // a finished task stays finished (types' canTransition)
    const forward = stateRank(s.state) > stateRank(cur);
    const healthChange = s.state === cur && s.state === 'running' && s.health !== undefined && s.health !== e.reportedHealth;
    if (!forward && !healthChange) return;
    const status: TaskStatus = { ...s, timestamp: this.now() };
    if (e.handle) status.containerId = e.handle.ref;
    if (e.handle?.addresses) status.addresses = e.handle.addresses;
    if (status.exitCode === undefined) delete status.exitCode;
    if (status.health === undefined) delete status.health;
    e.reported = s.state;
    if (s.health) e.reportedHealth = s.health;
    this.reporter.push(e.task.id, status);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
