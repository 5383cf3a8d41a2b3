/**
 * The node agent: makes the tasks assigned to this node (as read from the
 * local replica) real through a driver, and reports what it observes.
 *
 * Each task has its own runner (task-runner.ts) whose lifecycle is written
 * down in task-lifecycle.ts. After an agent restart the drivers' `list()`
 * hands back what is already running before any task is considered for a
 * start, so a task is never started twice.
 */
import { ErrorCode, ShoalError, type DriverName, type Task } from '@shoal/types';
import type { Logger } from 'pino';
import type { Driver, LogLine, LogOptions, TaskHandle, TaskStats } from './driver.js';
import { Limiter } from './limiter.js';
import { StatusReporter, type ReportFn } from './status-reporter.js';
import { TaskRunner, type TaskRunnerComponents } from './task-runner.js';
import type { TaskFiles } from './secrets/task-files.js';

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

export class Agent {
  private readonly entries = new Map<string, TaskRunner>();
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
  private readonly components: TaskRunnerComponents;

  constructor(private readonly opts: AgentOptions) {
    for (const d of opts.drivers) this.drivers.set(d.name, d);
    this.limiter = new Limiter(opts.concurrency ?? 8);
    this.reporter = new StatusReporter(opts.report, opts.logger);
    this.now = opts.now ?? Date.now;
    this.pollMs = opts.pollMs ?? 1000;
    this.log = opts.logger.child({ node: opts.nodeId });
    this.components = {
      drivers: this.drivers,
      limiter: this.limiter,
      reporter: this.reporter,
      log: this.log,
      now: this.now,
      isRunning: () => this.running,
      release: (taskId) => {
        this.entries.delete(taskId);
        this.reporter.forget(taskId);
      },
      track: (work) => this.track(work),
      drainMs: opts.drainMs ?? 0,
      ...(opts.files ? { files: opts.files } : {}),
    };
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
    for (const e of this.entries.values()) e.abortPrepare();
    await Promise.allSettled([...this.loops]);
    if (opts.stopTasks) {
      await Promise.allSettled([...this.entries.values()].filter((e) => e.handle && e.phase !== 'exited').map((e) => e.stopWithAgent()));
    }
    for (const e of this.entries.values()) e.abortWait();
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
        entry = new TaskRunner(task, this.components);
        const found = this.adopted.get(task.id)?.shift();
        if (found) entry.adopt(found.driver, found.handle);
        this.entries.set(task.id, entry);
      }
      entry.update(task);
    }
    for (const entry of this.entries.values()) {
      if (ids.has(entry.task.id)) continue;
      entry.unassign();
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

  private track(p: Promise<void>): void {
    this.loops.add(p);
    void p.finally(() => this.loops.delete(p));
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
        (e) => e.handle && e.phase === 'running' && e.failure === undefined && (sweep || (e.reportedHealth !== undefined && e.reportedHealth !== 'none')),
      );
      await Promise.all(watched.map(async (e) => {
        const st = await e.inspect();
        if (e.phase !== 'running') return;
        if (!st?.running) return e.exitedOn(st);
        if (st.health === 'unhealthy') {
          e.failHealth(`health check failed: ${st.error ?? 'unhealthy'}`);
        } else if (st.health && st.health !== e.reportedHealth) {
          e.push({ state: 'running', message: 'running', health: st.health });
        }
      }));
    } finally {
      this.polling = false;
    }
  }
}
