/**
 * The seam between the agent and whatever runs a task's process. A driver is
 * stateless from the agent's point of view: everything it needs to find a
 * task again (after an agent restart) lives with the task itself (container
 * labels, a state file), which is what `list()` reads back.
 */
import type { DriverName, Task, TaskHealth, TaskLogLine, TaskLogOptions } from '@shoal/types';

export interface TaskHandle {
  taskId: string;
  /** Container id (docker) or process id (exec). */
  ref: string;
  driver: DriverName;
  /** The task's address on each shoal network (service networking), reported with its status. */
  addresses?: Record<string, string>;
}

export interface DriverTaskState {
  running: boolean;
  exitCode?: number;
  /** Why the task stopped (engine error, OOM); while running and unhealthy, the last health check output. */
  error?: string;
  health?: TaskHealth;
  startedAt?: number;
  finishedAt?: number;
}

export type LogLine = TaskLogLine;
export type LogOptions = TaskLogOptions;

export interface TaskStats {
  cpuPercent: number;
  memoryBytes: number;
}

export interface Driver {
  readonly name: DriverName;
  available(): Promise<boolean>;
  /** Pull or verify what the task needs; ShoalError IMAGE_NOT_FOUND / DRIVER_UNAVAILABLE. */
  prepare(task: Task, onProgress?: (msg: string) => void, signal?: AbortSignal): Promise<void>;
  start(task: Task): Promise<TaskHandle>;
  stop(handle: TaskHandle, graceMs: number, signal?: string): Promise<void>;
  remove(handle: TaskHandle): Promise<void>;
  /** null when the task is gone (removed, or never existed). */
  inspect(handle: TaskHandle): Promise<DriverTaskState | null>;
  wait(handle: TaskHandle, signal?: AbortSignal): Promise<{ exitCode: number }>;
  logs(handle: TaskHandle, opts: LogOptions): AsyncIterable<LogLine>;
  stats(handle: TaskHandle): Promise<TaskStats | null>;
  /** Every task this driver runs (or ran and has not removed) for this node. */
  list(): Promise<TaskHandle[]>;
}
