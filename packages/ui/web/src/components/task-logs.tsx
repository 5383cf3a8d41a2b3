/**
 * A service's task output, streaming live (the API's `logs --follow`),
 * narrowed to one task on demand. The API follows the tasks placed when the
 * stream opens, so the stream is opened again whenever the set of placed
 * tasks changes (a new task after a failover, a scale or an update).
 */
import type { LogLine } from '@shoal/api/contract';
import type { Task } from '@shoal/types';
import { useEffect, useId, useState } from 'preact/hooks';
import { useStore } from '../use-store.js';
import { clock, shortId } from '../format.js';

const KEEP = 500;
/** Lines arriving in a burst are shown together: one render per flush, not one per line. */
const FLUSH_MS = 250;

export function TaskLogs({ service, tasks }: { service: string; tasks: Task[] }) {
  const store = useStore();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [taskId, setTaskId] = useState('');
  const [state, setState] = useState<'following' | 'ended' | string>('following');
  const [attempt, setAttempt] = useState(0);
  const selectId = useId();
  const placed = tasks
    .filter((t) => t.nodeId && t.desiredState === 'running' && t.status.state !== 'pending')
    .map((t) => t.id)
    .sort()
    .join(',');

  useEffect(() => {
    const abort = new AbortController();
    setLines([]);
    setState('following');
    let batch: LogLine[] = [];
    const flush = setInterval(() => {
      if (batch.length === 0) return;
      const arrived = batch;
      batch = [];
      setLines((prev) => [...prev, ...arrived].slice(-KEEP));
    }, FLUSH_MS);
    void (async () => {
      try {
        for await (const line of store.client.serviceLogs(service, { follow: true, tail: 100, signal: abort.signal })) {
          batch.push(line);
          if (batch.length > KEEP) batch = batch.slice(-KEEP);
        }
        if (!abort.signal.aborted) setState('ended');
      } catch (err) {
        if (!abort.signal.aborted) setState(`stream failed: ${(err as Error).message}`);
      }
    })();
    return () => {
      abort.abort();
      clearInterval(flush);
    };
  }, [service, attempt, store, placed]);

  const shown = taskId ? lines.filter((l) => l.task === taskId) : lines;
  return (
    <section class="task-logs" aria-label="task logs">
      <div class="toolbar">
        <label for={selectId}>Task</label>
        <select id={selectId} value={taskId} onChange={(e) => setTaskId((e.target as HTMLSelectElement).value)}>
          <option value="">all tasks</option>
          {tasks.map((t) => (
            <option key={t.id} value={t.id}>
              #{t.slot} {shortId(t.id)} ({t.status.state})
            </option>
          ))}
        </select>
        <span role="status" class="muted">{state === 'following' ? 'following live' : state}</span>
        {state !== 'following' && (
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            Follow again
          </button>
        )}
      </div>
      <pre class="log-lines" tabIndex={0} aria-label="log lines">
        {shown.length === 0 ? 'no output yet' : shown.map((l) => `${clock(l.ts)} ${l.node} #${l.slot ?? 0} ${l.stream === 'stderr' ? '!' : ' '} ${l.line}`).join('\n')}
      </pre>
    </section>
  );
}
