/** A task the scheduler could not place: its explanation, and on demand the node-by-node view of `task explain`. */
import type { TaskExplanation } from '@shoal/api/contract';
import type { Task } from '@shoal/types';
import { useState } from 'preact/hooks';
import { useStore } from '../use-store.js';
import { ago, shortId } from '../format.js';
import { PlacementExplanation } from './placement-explanation.js';

export function PendingTask({ task }: { task: Task }) {
  const store = useStore();
  const [explanation, setExplanation] = useState<TaskExplanation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const explain = async () => {
    setError(null);
    try {
      setExplanation(await store.client.explainTask(task.id));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <article class="pending-task" data-task={task.id} aria-label={`pending task ${task.serviceName} slot ${task.slot}`}>
      <header>
        <h3>
          <a href={`#/services/${encodeURIComponent(task.serviceName)}`}>{task.serviceName}</a> #{task.slot} <code>{shortId(task.id)}</code>
        </h3>
        <span class="muted">pending since {ago(task.status.timestamp)}</span>
      </header>
      <p class="pending-reason">{task.pendingReason ?? task.status.message ?? 'no explanation recorded yet'}</p>
      <button type="button" onClick={() => void explain()} aria-expanded={explanation !== null}>
        {explanation ? 'Explain again' : 'Explain node by node'}
      </button>
      {error && <p role="alert" class="error-text">{error}</p>}
      {explanation && <PlacementExplanation explanation={explanation} />}
    </article>
  );
}
