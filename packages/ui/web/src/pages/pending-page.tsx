import { useSnapshot } from '../use-store.js';
import { pendingTasks } from '../cluster-view.js';
import { PendingTask } from '../components/pending-task.js';

export function PendingPage() {
  const snap = useSnapshot();
  const pending = pendingTasks(snap.tasks);
  return (
    <>
      <h1>Pending tasks</h1>
      {pending.length === 0 ? <p>Every task that should run has a node.</p> : pending.map((t) => <PendingTask key={t.id} task={t} />)}
    </>
  );
}
