/** An in-memory driver: a test double for the agent's state machine, not a driver. */
import { ErrorCode, ShoalError, type Task, type TaskHealth } from '@shoal/types';
import type { Driver, DriverTaskState, LogLine, TaskHandle } from '../src/driver.js';

interface FakeProc {
  handle: TaskHandle;
  running: boolean;
  exitCode?: number;
  health: TaskHealth;
  healthOutput?: string;
  exited: Promise<number>;
  exit: (code: number) => void;
}

export class FakeDriver implements Driver {
  readonly name = 'docker' as const;
  readonly procs = new Map<string, FakeProc>();
  starts: string[] = [];
  stops: { taskId: string; graceMs: number; signal?: string }[] = [];
  removes: string[] = [];
  prepareError?: Error;
  prepareDelayMs = 0;
  activeOps = 0;
  maxActiveOps = 0;
  private nextRef = 1;

  async available(): Promise<boolean> {
    return true;
  }

  async prepare(_task: Task, _p?: (m: string) => void, signal?: AbortSignal): Promise<void> {
    this.activeOps++;
    this.maxActiveOps = Math.max(this.maxActiveOps, this.activeOps);
    try {
      if (this.prepareDelayMs) await new Promise((r) => setTimeout(r, this.prepareDelayMs));
      if (signal?.aborted) throw new ShoalError(ErrorCode.Aborted, 'aborted');
      if (this.prepareError) throw this.prepareError;
    } finally {
      this.activeOps--;
    }
  }

  async start(task: Task): Promise<TaskHandle> {
    this.starts.push(task.id);
    const handle: TaskHandle = { taskId: task.id, ref: `c${this.nextRef++}`, driver: 'docker' };
    let exit!: (code: number) => void;
    const exited = new Promise<number>((r) => (exit = r));
    const proc: FakeProc = { handle, running: true, health: task.spec.healthcheck ? 'starting' : 'none', exited, exit: () => undefined };
    proc.exit = (code) => {
      if (!proc.running) return;
      proc.running = false;
      proc.exitCode = code;
      exit(code);
    };
    this.procs.set(task.id, proc);
    return handle;
  }

  async stop(handle: TaskHandle, graceMs: number, signal?: string): Promise<void> {
    this.stops.push({ taskId: handle.taskId, graceMs, signal });
    this.procs.get(handle.taskId)?.exit(143);
  }

  async remove(handle: TaskHandle): Promise<void> {
    this.removes.push(handle.taskId);
    this.procs.get(handle.taskId)?.exit(137);
    this.procs.delete(handle.taskId);
  }

  async inspect(handle: TaskHandle): Promise<DriverTaskState | null> {
    const p = this.procs.get(handle.taskId);
    if (!p) return null;
    return p.running
      ? { running: true, health: p.health, ...(p.health === 'unhealthy' ? { error: p.healthOutput } : {}) }
      : { running: false, exitCode: p.exitCode };
  }

  async wait(handle: TaskHandle, signal?: AbortSignal): Promise<{ exitCode: number }> {
    const p = this.procs.get(handle.taskId);
    if (!p) throw new ShoalError(ErrorCode.NotFound, 'no such task');
    const aborted = new Promise<never>((_, rej) => signal?.addEventListener('abort', () => rej(new ShoalError(ErrorCode.Aborted, 'aborted')), { once: true }));
    return { exitCode: await Promise.race([p.exited, aborted]) };
  }

  async *logs(): AsyncIterable<LogLine> {
    yield { stream: 'stdout', line: 'fake', ts: 0 };
  }

  async stats(): Promise<null> {
    return null;
  }

  async list(): Promise<TaskHandle[]> {
    return [...this.procs.values()].map((p) => p.handle);
  }
}
