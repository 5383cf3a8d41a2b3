/**
 * The `exec` driver: a task is a plain process tree on the host (Nomad's
 * raw_exec). The program runs under a tiny wrapper shell that leads its own
 * process group and records the exit code in a file, and writes straight
 * into per-task log files, so tasks outlive an agent restart and are adopted
 * by the next agent (identified by pid + start time, never by pid alone).
 *
 * Published ports are not mapped: the process binds its port itself (the
 * scheduler still reserves it on the node). No isolation and no resource
 * limits are applied.
 */
import { spawn } from 'node:child_process';
import { accessSync, chownSync, constants as fsConstants, existsSync, mkdirSync, openSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { ErrorCode, ShoalError, type Task } from '@shoal/types';
import type { Driver, DriverTaskState, LogLine, LogOptions, TaskHandle, TaskStats } from './driver.js';
import { runCheckCommand } from './exec-health-check.js';
import { exitFile, readExit, readRecord, stderrFile, stdoutFile, taskDir, writeExit, writeRecord, type ExecTaskRecord } from './exec-task-record.js';
import { readLogFiles } from './file-log-reader.js';
import { HealthMonitor } from './health-monitor.js';
import { DEFAULT_RESERVE_BYTES, DEFAULT_ROTATION, dropRotated, freeBytes, logDirOf, rotateIfLarge, type RotationPolicy } from './log-files.js';
import { CLOCK_TICKS, PAGE_SIZE, isSameProcessAlive, processGroup, readProcStat, signalGroup } from './proc.js';
import { taskEnv } from './task-env.js';
import { checkCanSwitch, resolveExecUser } from './exec-user.js';

export interface ExecDriverOptions {
  nodeId: string;
  /** Task directories live under `<dataDir>/tasks/`. */
  dataDir: string;
  /**
   * Task output lives here, one folder per task (default `<dataDir>/task-logs`),
   * apart from the Raft store so it can sit on its own disk.
   */
  logDir?: string;
  rotation?: RotationPolicy;
  /** Free bytes kept on the log disk: below it, task logs are truncated instead of rotated. Default 256 MiB. */
  reserveBytes?: number;
  /** Agent variables passed through to tasks (besides the spec's env and SHOAL_*). */
  inheritEnv?: string[];
  /** Service networking: env for the DNS address and service addresses, and where the task is reached (its node's address). */
  network?: { execEnv(task: Task): Record<string, string>; execAddresses(task: Task): Record<string, string> | undefined };
}

// Traps (not ignores) the usual stop signals so the shell outlives its child
// and can record the child's status; the child gets default dispositions.
// The exit file is best effort here (a task run as another user may not reach the
// data directory); the agent also writes it when it sees the child exit.
// umask 022: the agent runs with 077 (its data dir stays private); a task gets the usual default.
const WRAPPER = 'umask 022; trap : TERM INT HUP QUIT USR1 USR2; f="$1"; shift; "$@"; c=$?; { echo "$c" > "$f.tmp" && mv "$f.tmp" "$f"; } 2>/dev/null; exit "$c"';
const ROTATE_EVERY_MS = 1000;
const POLL_MS = 100;

export class ExecDriver implements Driver {
  readonly name = 'exec' as const;
  private readonly exits = new Map<string, Promise<number>>();
  private readonly health = new Map<string, HealthMonitor>();
  private readonly rotation: RotationPolicy;
  private readonly inheritEnv: string[];
  private rotateTimer: NodeJS.Timeout | undefined;

  private readonly logRoot: string;

  constructor(private readonly opts: ExecDriverOptions) {
    this.rotation = opts.rotation ?? DEFAULT_ROTATION;
    this.logRoot = opts.logDir ?? join(opts.dataDir, 'task-logs');
    this.inheritEnv = opts.inheritEnv ?? ['PATH', 'HOME', 'LANG', 'TZ', 'USER'];
  }

  async available(): Promise<boolean> {
    return process.platform === 'linux' && existsSync('/bin/sh') && existsSync('/proc/self/stat');
  }

  async prepare(task: Task): Promise<void> {
    const argv = commandOf(task);
    const env = this.envFor(task);
    const cwd = task.spec.workdir;
    if (cwd && !isDirectory(cwd)) throw new ShoalError(ErrorCode.NotFound, `exec driver: working directory ${cwd} does not exist on this node; create it or change spec.workdir`);
    if (task.spec.user) checkCanSwitch(resolveExecUser(task.spec.user), task.spec.user);
    if (!findProgram(argv[0], env.PATH ?? '', cwd)) {
      throw new ShoalError(ErrorCode.NotFound, `exec driver: program "${argv[0]}" is not an executable file on this node (PATH=${env.PATH ?? ''}); install it or give an absolute path in spec.command`);
    }
  }

  async start(task: Task): Promise<TaskHandle> {
    const dir = taskDir(this.opts.dataDir, task.id);
    const existing = readRecord(dir);
    if (existing) return this.handleOf(existing); // started before: never twice
    const argv = commandOf(task);
    // spawn() blocks the event loop for a fork; let queued work (status reports,
    // I/O) run between the starts of a burst of tasks.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (readRecord(dir)) return this.start(task);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const user = task.spec.user ? resolveExecUser(task.spec.user) : undefined;
    // The wrapper, run as the task's user, writes the exit file into this directory.
    if (user) chownSync(dir, user.uid, user.gid);
    // Output goes to the task's log folder (opened here, inherited by the process whatever its user).
    const logs = logDirOf(this.logRoot, task.id);
    mkdirSync(logs, { recursive: true, mode: 0o700 });
    const out = openSync(stdoutFile(logs), 'a', 0o600);
    const err = openSync(stderrFile(logs), 'a', 0o600);
    let child;
    try {
      child = spawn('/bin/sh', ['-c', WRAPPER, 'shoal-task', exitFile(dir), ...argv], {
        cwd: task.spec.workdir,
        env: this.envFor(task),
        stdio: ['ignore', out, err],
        detached: true,
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const pid = child.pid;
    if (pid === undefined) throw new ShoalError(ErrorCode.Internal, `exec driver: could not start /bin/sh for task ${task.id}`);
    const startedAt = Date.now();
    const procStartTicks = readProcStat(pid)?.startTicks ?? -1;
    const exited = new Promise<number>((resolve) => {
      child.on('exit', (code, sig) => {
        const exitCode = code ?? 128 + (sig ? (osConstants.signals[sig] ?? 0) : 0);
        writeExit(dir, exitCode);
        resolve(exitCode);
      });
      child.on('error', () => resolve(127));
    });
    child.unref();
    this.exits.set(task.id, exited);
    const record: ExecTaskRecord = { taskId: task.id, nodeId: this.opts.nodeId, pid, procStartTicks, startedAt, task };
    writeRecord(dir, record);
    this.watch(record);
    return this.handleOf(record);
  }

  async stop(handle: TaskHandle, graceMs: number, signal?: string): Promise<void> {
    const rec = this.record(handle);
    if (!rec) return;
    this.health.get(handle.taskId)?.stop();
    if (this.alive(rec)) {
      const sig = (signal ?? rec.task.spec.stopSignal ?? 'SIGTERM') as NodeJS.Signals;
      signalGroup(rec.pid, sig);
      if (!(await this.waitDead(rec, graceMs))) {
        signalGroup(rec.pid, 'SIGKILL');
        await this.waitDead(rec, 5000);
        writeExit(taskDir(this.opts.dataDir, rec.taskId), 128 + 9);
      }
    }
    signalGroup(rec.pid, 'SIGKILL'); // stragglers the program left in its group
  }

  async remove(handle: TaskHandle): Promise<void> {
    const rec = this.record(handle);
    if (rec) await this.stop(handle, 0);
    this.health.delete(handle.taskId);
    this.exits.delete(handle.taskId);
    rmSync(taskDir(this.opts.dataDir, handle.taskId), { recursive: true, force: true });
    rmSync(logDirOf(this.logRoot, handle.taskId), { recursive: true, force: true });
  }

  async inspect(handle: TaskHandle): Promise<DriverTaskState | null> {
    const rec = this.record(handle);
    if (!rec) return null;
    const monitor = this.health.get(rec.taskId);
    if (this.alive(rec)) {
      const health = monitor?.health ?? 'none';
      return { running: true, health, startedAt: rec.startedAt, ...(health === 'unhealthy' ? { error: monitor!.lastFailure } : {}) };
    }
    const exit = readExit(taskDir(this.opts.dataDir, rec.taskId));
    if (!exit) return { running: false, startedAt: rec.startedAt, error: 'the process ended while no agent was watching it; its exit code is unknown' };
    return { running: false, exitCode: exit.exitCode, startedAt: rec.startedAt, finishedAt: exit.finishedAt };
  }

  async wait(handle: TaskHandle, signal?: AbortSignal): Promise<{ exitCode: number }> {
    const rec = this.record(handle);
    if (!rec) throw new ShoalError(ErrorCode.NotFound, `exec driver: no task ${handle.taskId} on this node`);
    const own = this.exits.get(rec.taskId);
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(new ShoalError(ErrorCode.Aborted, 'wait aborted'));
      if (signal?.aborted) fail();
      signal?.addEventListener('abort', fail, { once: true });
    });
    aborted.catch(() => undefined);
    if (own) return { exitCode: await Promise.race([own, aborted]) };
    // Adopted: not our child, so no exit event; watch /proc instead.
    while (this.alive(rec)) {
      await Promise.race([new Promise((r) => setTimeout(r, POLL_MS)), aborted]);
    }
    return { exitCode: readExit(taskDir(this.opts.dataDir, rec.taskId))?.exitCode ?? -1 };
  }

  logs(handle: TaskHandle, opts: LogOptions): AsyncIterable<LogLine> {
    const dir = logDirOf(this.logRoot, handle.taskId);
    const rec = this.record(handle);
    const files = [
      { stream: 'stdout' as const, path: stdoutFile(dir) },
      { stream: 'stderr' as const, path: stderrFile(dir) },
    ];
    return readLogFiles(files, { ...opts, isRunning: () => rec !== null && this.alive(rec) });
  }

  async stats(handle: TaskHandle): Promise<TaskStats | null> {
    const rec = this.record(handle);
    if (!rec || !this.alive(rec)) return null;
    const ticks = () => processGroup(rec.pid).reduce((sum, p) => sum + p.utimeTicks + p.stimeTicks, 0);
    const before = ticks();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    const group = processGroup(rec.pid);
    const used = group.reduce((sum, p) => sum + p.utimeTicks + p.stimeTicks, 0) - before;
    const seconds = (Date.now() - t0) / 1000;
    return { cpuPercent: (used / CLOCK_TICKS / seconds) * 100, memoryBytes: group.reduce((sum, p) => sum + p.rssPages * PAGE_SIZE, 0) };
  }

  async list(): Promise<TaskHandle[]> {
    const root = join(this.opts.dataDir, 'tasks');
    if (!existsSync(root)) return [];
    const handles: TaskHandle[] = [];
    for (const id of readdirSync(root)) {
      const rec = readRecord(join(root, id));
      if (!rec || rec.nodeId !== this.opts.nodeId || rec.taskId !== id) continue;
      if (!this.health.has(rec.taskId) && this.alive(rec)) this.watch(rec); // adopted: resume health checks
      handles.push(this.handleOf(rec));
    }
    return handles;
  }

  /** Stops the driver's own timers (health checks, rotation); tasks keep running. */
  close(): void {
    for (const m of this.health.values()) m.stop();
    this.health.clear();
    if (this.rotateTimer) clearInterval(this.rotateTimer);
    this.rotateTimer = undefined;
  }

  private watch(rec: ExecTaskRecord): void {
    const check = rec.task.spec.healthcheck;
    if (check && check.test[0] !== 'NONE') {
      const env = this.envFor(rec.task);
      const monitor = new HealthMonitor(check, (timeoutMs) => runCheckCommand(check.test, { cwd: rec.task.spec.workdir, env, timeoutMs }), rec.startedAt);
      this.health.set(rec.taskId, monitor);
      monitor.start();
    }
    if (!this.rotateTimer) {
      this.rotateTimer = setInterval(() => this.rotateLogs(), ROTATE_EVERY_MS);
      this.rotateTimer.unref();
    }
  }

  private rotateLogs(): void {
    let ids: string[];
    try {
      ids = readdirSync(this.logRoot);
    } catch {
      return;
    }
    // Low on space: drop output rather than copy it, so the disk the store may share never fills.
    const short = freeBytes(this.logRoot) < (this.opts.reserveBytes ?? DEFAULT_RESERVE_BYTES);
    const policy: RotationPolicy = short ? { maxBytes: 0, maxFiles: 0 } : this.rotation;
    for (const id of ids) {
      const dir = join(this.logRoot, id);
      try {
        if (short) dropRotated(dir);
        rotateIfLarge(stdoutFile(dir), policy);
        rotateIfLarge(stderrFile(dir), policy);
      } catch {
        /* removed meanwhile, or the disk refused: the task keeps running either way */
      }
    }
  }

  private record(handle: TaskHandle): ExecTaskRecord | null {
    const rec = readRecord(taskDir(this.opts.dataDir, handle.taskId));
    return rec && String(rec.pid) === handle.ref ? rec : null;
  }

  private alive(rec: ExecTaskRecord): boolean {
    return isSameProcessAlive(rec.pid, rec.procStartTicks);
  }

  private async waitDead(rec: ExecTaskRecord, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.alive(rec)) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
    }
    return true;
  }

  private handleOf(rec: ExecTaskRecord): TaskHandle {
    const handle: TaskHandle = { taskId: rec.taskId, ref: String(rec.pid), driver: 'exec' };
    const addresses = this.opts.network?.execAddresses(rec.task);
    if (addresses) handle.addresses = addresses;
    return handle;
  }

  private envFor(task: Task): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of this.inheritEnv) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    // A process shares the node's host name; the spec's is given the way a shell would see it.
    if (task.spec.hostname) env.HOSTNAME = task.spec.hostname;
    return { ...env, ...(this.opts.network?.execEnv(task) ?? {}), ...taskEnv(task, this.opts.nodeId) };
  }
}

function commandOf(task: Task): string[] {
  const argv = [...(task.spec.command ?? []), ...(task.spec.args ?? [])];
  if (argv.length === 0) throw new ShoalError(ErrorCode.InvalidSpec, `service ${task.serviceName}: the exec driver needs spec.command (program and arguments)`);
  return argv;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function findProgram(program: string, pathVar: string, cwd?: string): boolean {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolvePath(cwd ?? process.cwd(), program)]
    : pathVar.split(delimiter).filter(Boolean).map((d) => join(d, program));
  return candidates.some((c) => {
    try {
      accessSync(c, fsConstants.X_OK);
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
}
