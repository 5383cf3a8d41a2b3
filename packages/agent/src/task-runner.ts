/**
 * One task's runner: a sequential action loop that asks `nextAction` what
 * to do and does it through the task's driver. A reconcile only records the
 * latest task and wakes the loop, so concurrent reconciles never race two
 * starts of one task.
 */
import { ErrorCode, isShoalError, type DriverName, type Task, type TaskHealth, type TaskState, type TaskStatus } from '@shoal/types';
import type { Logger } from 'pino';
import type { Driver, DriverTaskState, TaskHandle } from './driver.js';
import type { Limiter } from './limiter.js';
import type { StatusReporter } from './status-reporter.js';
import { stopGraceMs } from './task-env.js';
import { isTerminal, stateRank } from './task-state-order.js';
import { exitCounts, nextAction, type ObservedTask, type TaskPhase } from './task-lifecycle.js';
import { TaskFiles } from './secrets/task-files.js';

/** What a runner needs from its agent. */
export interface TaskRunnerComponents {
  drivers: ReadonlyMap<DriverName, Driver>;
  limiter: Limiter;
  reporter: StatusReporter;
  log: Logger;
  now: () => number;
  /** False once the agent is stopping: the loop takes no further action. */
  isRunning(): boolean;
  /** The task left this node: the agent drops its runner. */
  release(taskId: string): void;
  /** Keeps the agent's stop() waiting for this work. */
  track(work: Promise<void>): void;
  /** How long a network endpoint keeps running after it left the rules, before its stop signal (AgentOptions.drainMs). */
  drainMs: number;
  /** Writes a task's secrets and configs before it starts and removes them when it ends. */
  files?: TaskFiles;
}

export class TaskRunner {
  phase: TaskPhase = 'waiting';
  driver?: Driver;
  handle?: TaskHandle;
  /** Set when a health check fails: the loop stops the task and reports it failed. */
  failure?: string;
  /** The latest state this agent reported (the replica may lag behind it). */
  private reported?: TaskState;
  reportedHealth?: TaskHealth;
  private assigned = true;
  private busy = false;
  private dirty = false;
  private prepAbort?: AbortController;
  private waitAbort?: AbortController;
  /** The task as the driver starts it: with its secret and config files mounted (or their directories in its env). */
  private launchTask?: Task;

  constructor(
    public task: Task,
    private readonly c: TaskRunnerComponents,
  ) {}

  /** A process found at agent start for this task. */
  adopt(driver: Driver, handle: TaskHandle): void {
    this.driver = driver;
    this.handle = handle;
    this.phase = 'adopted';
  }

  /** The replica's latest view of the task. */
  update(task: Task): void {
    this.task = task;
    if (task.desiredState !== 'running') this.prepAbort?.abort();
    this.kick();
  }

  /** The task is no longer assigned to this node. */
  unassign(): void {
    this.assigned = false;
    this.prepAbort?.abort();
    this.kick();
  }

  /** A health check failed: the loop stops the task and reports it failed. */
  failHealth(reason: string): void {
    this.failure = reason;
    this.kick();
  }

  /** Cancels a pull in progress (the agent is stopping). */
  abortPrepare(): void {
    this.prepAbort?.abort();
  }

  abortWait(): void {
    this.waitAbort?.abort();
  }

  /** The agent shuts down with its tasks: stop this one and report it shut down. */
  async stopWithAgent(): Promise<void> {
    this.phase = 'stopping';
    await this.stopProcess();
    this.push({ state: 'shutdown', message: 'stopped: the agent on this node shut down' });
  }

  kick(): void {
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.busy = true;
    this.c.track(this.loop());
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.dirty = false;
        try {
          await this.step();
        } catch (err) {
          this.c.log.error({ err, task: this.task.id }, 'task action failed');
        }
      } while (this.dirty && this.c.isRunning());
    } finally {
      this.busy = false;
    }
  }

  observed(): ObservedTask {
    return {
      assigned: this.assigned,
      desiredRunning: this.task.desiredState === 'running',
      current: this.current(),
      hasProcess: this.handle !== undefined,
      ...(this.failure !== undefined ? { failure: this.failure } : {}),
    };
  }

  /** One decision for the task, and its action. */
  private async step(): Promise<void> {
    if (!this.c.isRunning()) return;
    switch (nextAction(this.phase, this.observed())) {
      case 'none':
        return;
      case 'forget':
        return this.forget();
      case 'stop':
        return this.stop();
      case 'cancel':
        this.push({ state: 'shutdown', message: 'shut down before it started' });
        this.phase = 'removed';
        return;
      case 'fail-unhealthy':
        return this.failUnhealthy();
      case 'watch':
        return this.watch(false);
      case 'report-lost':
        this.push({ state: 'failed', message: 'task process not found on this node after an agent restart', error: 'task process not found on this node' });
        return;
      case 'start':
        return this.start();
    }
  }

  /**
   * The start path, one step after another. A step that returns false has
   * reported why the task cannot start, or found it no longer wanted. Steps
   * that must happen before the process exists (attach networks, write
   * secret files) go between `prepare` and `launch`.
   */
  private async start(): Promise<void> {
    const steps: (() => Promise<boolean>)[] = [() => this.accept(), () => this.prepare(), () => this.writeFiles(), () => this.stillWanted(), () => this.launch()];
    for (const step of steps) if (!(await step())) return;
    await this.watch(true);
  }

  /** Picks the driver the spec names; a node without it rejects the task. */
  private async accept(): Promise<boolean> {
    const name = this.task.spec.driver ?? 'docker';
    const driver = this.c.drivers.get(name);
    if (!driver) {
      this.push({ state: 'rejected', message: `driver ${name} is not enabled on this node`, error: `driver ${name} is not enabled on this node` });
      return false;
    }
    this.driver = driver;
    this.push({ state: 'accepted', message: 'accepted by the node' });
    return true;
  }

  /** Pulls the image (docker) or checks the program (exec); cancellable while the task is no longer wanted. */
  private async prepare(): Promise<boolean> {
    const driver = this.driver!;
    this.push({ state: 'preparing', message: driver.name === 'docker' ? 'preparing: checking and pulling the image' : 'preparing' });
    this.phase = 'preparing';
    this.prepAbort = new AbortController();
    try {
      await this.c.limiter.run(() => driver.prepare(this.task, (msg) => this.c.log.debug({ task: this.task.id, msg }, 'prepare progress'), this.prepAbort!.signal));
      return true;
    } catch (err) {
      this.phase = 'waiting';
      if (this.task.desiredState !== 'running' || !this.assigned) return false; // cancelled: the loop runs again and shuts it down
      this.push({ state: 'rejected', message: `preparing failed: ${messageOf(err)}`, error: messageOf(err) });
      return false;
    } finally {
      this.prepAbort = undefined;
    }
  }

  /** The last moment to give up without a process: the task may have been stopped during the pull. */
  private async stillWanted(): Promise<boolean> {
    if (this.task.desiredState === 'running' && this.assigned && this.c.isRunning()) return true;
    this.phase = 'waiting';
    this.launchTask = undefined;
    this.releaseFiles();
    return false;
  }

  /**
   * Secrets and configs as files, opened from this node's own sealed copies
   * just before the process exists. A secret this node cannot open (no
   * grant yet, or a bad value) rejects the task with the reason.
   */
  private async writeFiles(): Promise<boolean> {
    this.launchTask = this.task;
    const files = this.c.files;
    if (!files || !TaskFiles.wanted(this.task)) return true;
    this.prepAbort = new AbortController();
    try {
      this.launchTask = await files.prepare(this.task, this.prepAbort.signal);
      return true;
    } catch (err) {
      this.phase = 'waiting';
      if (this.task.desiredState !== 'running' || !this.assigned) return false;
      this.push({ state: 'rejected', message: `preparing the secret and config files failed: ${messageOf(err)}`, error: messageOf(err) });
      return false;
    } finally {
      this.prepAbort = undefined;
    }
  }

  /** Creates and starts the process: at most once per task on this node. */
  private async launch(): Promise<boolean> {
    const driver = this.driver!;
    const task = this.launchTask ?? this.task;
    this.launchTask = undefined;
    this.push({ state: 'starting', message: 'starting' });
    this.phase = 'starting';
    try {
      this.handle = await this.c.limiter.run(() => driver.start(task));
      return true;
    } catch (err) {
      this.phase = 'exited';
      this.releaseFiles();
      this.push({ state: 'failed', message: `starting failed: ${messageOf(err)}`, error: messageOf(err) });
      return false;
    }
  }

  /**
   * Reports a process running, and waits for its exit in the background. A
   * task we just started is running by definition (no extra inspect on the
   * start path; an immediate exit is seen by wait()); an adopted one is
   * inspected first.
   */
  private async watch(fresh: boolean): Promise<void> {
    if (this.phase !== 'adopted' && this.phase !== 'starting') return;
    this.phase = 'running';
    const hc = this.task.spec.healthcheck;
    const st: DriverTaskState | null = fresh ? { running: true, health: hc && hc.test[0] !== 'NONE' ? 'starting' : 'none' } : await this.inspect();
    if (!st?.running) return this.exitedOn(st);
    this.push({ state: 'running', message: 'running', health: st.health });
    this.waitAbort = new AbortController();
    this.driver!.wait(this.handle!, this.waitAbort.signal).then(
      async () => this.exitedOn(await this.inspect()),
      (err) => {
        if (!isShoalError(err) || err.code !== ErrorCode.Aborted) this.c.log.debug({ err, task: this.task.id }, 'wait ended');
      },
    );
  }

  /** The process ended on its own (not stopped by us): complete or failed. */
  exitedOn(st: DriverTaskState | null): void {
    if (!exitCounts(this.phase)) return;
    this.phase = 'exited';
    this.waitAbort?.abort();
    this.releaseFiles();
    if (!st) {
      this.push({ state: 'failed', message: 'the task process disappeared (its container or state was removed outside shoal)', error: 'task process disappeared' });
    } else if (st.exitCode === 0) {
      this.push({ state: 'complete', message: 'exited with code 0', exitCode: 0 });
    } else {
      const why = st.error ? `: ${st.error}` : '';
      const code = st.exitCode ?? -1;
      this.push({ state: 'failed', message: `exited with code ${code}${why}`, error: st.error ?? `exit code ${code}`, exitCode: code });
    }
  }

  private async failUnhealthy(): Promise<void> {
    this.phase = 'exited';
    this.push({ state: 'running', message: this.failure!, health: 'unhealthy' }); // leaves the endpoints first
    await this.drain();
    await this.stopProcess();
    const st = await this.inspect();
    this.releaseFiles();
    this.push({ state: 'failed', message: this.failure!, error: this.failure!, exitCode: st?.exitCode, health: 'unhealthy' });
  }

  /** Desired state changed: stop and remove the process, report shutdown. */
  private async stop(): Promise<void> {
    this.phase = 'stopping';
    const st = await this.inspect();
    if (st?.running) {
      await this.drain();
      await this.stopProcess();
    }
    this.waitAbort?.abort();
    this.push({ state: 'shutdown', message: `stopped (desired state ${this.task.desiredState})` });
    await this.c.limiter.run(() => this.driver!.remove(this.handle!));
    this.releaseFiles();
    this.phase = 'removed';
  }

  /** The task left this node's assignments: stop and clean up, nothing left to report to. */
  private async forget(): Promise<void> {
    this.c.release(this.task.id);
    this.waitAbort?.abort();
    if (!this.handle || this.phase === 'removed') return this.releaseFiles();
    this.phase = 'stopping';
    const st = await this.inspect();
    if (st?.running) await this.stopProcess();
    await this.c.limiter.run(() => this.driver!.remove(this.handle!));
    this.releaseFiles();
    this.phase = 'removed';
  }

  /** A task's secret files go as soon as it stops needing them (exit, stop, removal); idempotent. */
  private releaseFiles(): void {
    const files = this.c.files;
    if (!files || !TaskFiles.wanted(this.task)) return;
    this.c.track(files.release(this.task.id).catch((err) => this.c.log.warn({ err, task: this.task.id }, "could not remove the task's secret files")));
  }

  /** A network endpoint is already out of every node's rules (its state changed); give them time to apply it before the stop signal. */
  private async drain(): Promise<void> {
    const ms = this.c.drainMs;
    if (ms > 0 && this.handle?.addresses) await new Promise((r) => setTimeout(r, ms));
  }

  private stopProcess(): Promise<void> {
    return this.c.limiter.run(() => this.driver!.stop(this.handle!, stopGraceMs(this.task), this.task.spec.stopSignal));
  }

  async inspect(): Promise<DriverTaskState | null> {
    try {
      return await this.driver!.inspect(this.handle!);
    } catch (err) {
      this.c.log.warn({ err, task: this.task.id }, 'inspect failed');
      return { running: true }; // unknown: assume unchanged rather than report a false exit
    }
  }

  private current(): TaskState {
    const replica = this.task.status.state;
    return this.reported && stateRank(this.reported) > stateRank(replica) ? this.reported : replica;
  }

  /** Queues a report if it moves the task forward (or, while running, changes its health). Never out of a finished state. */
  push(s: Omit<TaskStatus, 'timestamp'>): void {
    const cur = this.current();
    if (isTerminal(cur)) return; // a finished task stays finished (types' canTransition)
    const forward = stateRank(s.state) > stateRank(cur);
    const healthChange = s.state === cur && s.state === 'running' && s.health !== undefined && s.health !== this.reportedHealth;
    if (!forward && !healthChange) return;
    const status: TaskStatus = { ...s, timestamp: this.c.now() };
    if (this.handle) status.containerId = this.handle.ref;
    if (this.handle?.addresses) status.addresses = this.handle.addresses;
    if (status.exitCode === undefined) delete status.exitCode;
    if (status.health === undefined) delete status.health;
    this.reported = s.state;
    if (s.health) this.reportedHealth = s.health;
    this.c.reporter.push(this.task.id, status);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
