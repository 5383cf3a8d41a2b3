/** One line a task wrote, as its driver reads it back. */
export interface TaskLogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  /** ms since epoch */
  ts: number;
}

/** How to read a task's log: the drivers, the agent and the API all take this. */
export interface TaskLogOptions {
  follow: boolean;
  /** Last N lines (per task) before following; undefined = all. */
  tail?: number;
  signal?: AbortSignal;
}
