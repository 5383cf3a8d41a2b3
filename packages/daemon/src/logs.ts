/**
 * `service logs`: every task's output at once. Lines of tasks on this node
 * come straight from the agent; tasks on other nodes are read over libp2p
 * (`logs.read`), and followed by polling it for lines newer than the last
 * one seen.
 */
import type { LogLine, LogOptions } from '@shoal/api';
import type { Service, Task } from '@shoal/types';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { ClusterRuntime } from './runtime.js';
import { sleep } from './sleep.js';

export const LOGS_METHOD = 'logs.read';
const MAX_LINES = 1000;
const POLL_MS = 500;

interface RemoteLine {
  stream: 'stdout' | 'stderr';
  line: string;
  ts: number;
}

export function registerLogsHandler(rt: ClusterRuntime): void {
  rt.p2p.handle(LOGS_METHOD, async (_from, body) => {
    const b = body as { taskId?: unknown; tail?: unknown; sinceTs?: unknown } | null;
    if (!b || typeof b.taskId !== 'string') throw new ShoalError(ErrorCode.BadMessage, 'malformed logs.read request');
    const tail = typeof b.tail === 'number' ? Math.min(MAX_LINES, Math.max(0, b.tail)) : MAX_LINES;
    const since = typeof b.sinceTs === 'number' ? b.sinceTs : -Infinity;
    const out: RemoteLine[] = [];
    for await (const l of rt.agent.logs(b.taskId, { follow: false, tail })) if (l.ts > since) out.push({ stream: l.stream, line: l.line, ts: l.ts });
    return out.slice(-tail);
  });
}

export async function* serviceLogs(rt: ClusterRuntime, svc: Service, opts: LogOptions): AsyncGenerator<LogLine> {
  const tasks = rt.state.tasksByService(svc.id).filter((t) => t.nodeId !== undefined && t.status.state !== 'pending');
  const streams = tasks.map((t) => taskLines(rt, t, opts));
  yield* merge(streams, opts.signal);
}

async function* taskLines(rt: ClusterRuntime, task: Task, opts: LogOptions): AsyncGenerator<LogLine> {
  const node = rt.state.node(task.nodeId!)?.name ?? task.nodeId!;
  const wrap = (l: RemoteLine): LogLine => ({ task: task.id, slot: task.slot, node, stream: l.stream, line: l.line, ts: l.ts });
  if (task.nodeId === rt.selfId) {
    for await (const l of rt.agent.logs(task.id, { follow: opts.follow, tail: opts.tail, signal: opts.signal })) yield wrap(l);
    return;
  }
  let since = -Infinity;
  let tail = opts.tail ?? MAX_LINES;
  for (;;) {
    let lines: RemoteLine[] = [];
    try {
      lines = (await rt.p2p.request(task.nodeId!, LOGS_METHOD, { taskId: task.id, tail, sinceTs: since }, { timeoutMs: 5000, signal: opts.signal })) as RemoteLine[];
    } catch (err) {
      if (opts.signal.aborted) return;
      if (!opts.follow) throw err;
    }
    for (const l of lines) {
      since = Math.max(since, l.ts);
      yield wrap(l);
    }
    if (!opts.follow || opts.signal.aborted) return;
    tail = MAX_LINES;
    await sleep(POLL_MS);
    if (opts.signal.aborted) return;
  }
}

/** Interleaves several async streams as lines arrive. */
async function* merge<T>(sources: AsyncGenerator<T>[], signal: AbortSignal): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const next = (i: number) => pending.set(i, sources[i].next().then((r) => ({ i, r })));
  sources.forEach((_, i) => next(i));
  while (pending.size > 0 && !signal.aborted) {
    const { i, r } = await Promise.race(pending.values());
    if (r.done) pending.delete(i);
    else {
      next(i);
      yield r.value;
    }
  }
  await Promise.all(sources.map((s) => s.return(undefined)));
}
