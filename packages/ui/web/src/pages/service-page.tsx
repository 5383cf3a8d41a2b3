import { useSnapshot } from '../use-store.js';
import { desiredReplicas, extraServiceFields, runningReplicas, serviceTasks, updateProgress } from '../cluster-view.js';
import { ago, portsText, valueText } from '../format.js';
import { StatusBadge } from '../components/status-badge.js';
import { TasksByNode } from '../components/tasks-by-node.js';
import { TaskHistory } from '../components/task-history.js';
import { TaskLogs } from '../components/task-logs.js';
import { ScaleAction } from '../components/scale-action.js';
import { UpdateAction } from '../components/update-action.js';
import { RollbackAction } from '../components/rollback-action.js';
import { serviceHealth, whatRuns } from '../components/service-table.js';
import { useMayChange } from '../role.js';
import { ServiceNetwork } from '../components/service-network.js';

export function ServicePage({ name }: { name: string }) {
  const snap = useSnapshot();
  const mayChange = useMayChange('services');
  const service = snap.services.find((s) => s.spec.name === name || s.id === name);
  if (!service) return <><h1>{name}</h1><p>{snap.loadedAt ? 'No such service (it may have been removed).' : 'Loading…'}</p></>;
  const tasks = serviceTasks(snap.tasks, service);
  const desired = desiredReplicas(service, snap.nodes);
  const running = runningReplicas(snap.tasks, service);
  const progress = updateProgress(snap.tasks, service, desired);
  return (
    <>
      <h1>Service {service.spec.name}</h1>
      <dl class="service-summary">
        <div><dt>Replicas running</dt><dd data-field="replicas">{running}/{desired}</dd></div>
        <div><dt>Runs</dt><dd><code>{whatRuns(service)}</code> ({service.spec.driver ?? 'docker'})</dd></div>
        <div><dt>Version</dt><dd>{service.version}, changed {ago(service.updatedAt)}</dd></div>
        <div>
          <dt>Update</dt>
          <dd>
            {service.updateStatus ? (
              <>
                <StatusBadge state={service.updateStatus.state} /> {service.updateStatus.message}{' '}
                <progress max={progress.of} value={progress.done} aria-label="tasks on the current version" /> {progress.done}/{progress.of} on v{service.version}
              </>
            ) : 'none'}
          </dd>
        </div>
        <div><dt>Ports</dt><dd>{portsText(service.spec.ports)}</dd></div>
        <div><dt>Health</dt><dd>{serviceHealth(snap, service)}</dd></div>
        <ServiceNetwork service={service} snap={snap} />
        {extraServiceFields(service).map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd><code>{valueText(v)}</code></dd></div>
        ))}
      </dl>
      {mayChange && (
        <section aria-label="actions" class="actions">
          <h2>Actions</h2>
          <ScaleAction service={service} />
          <UpdateAction service={service} />
          <div class="action-row"><RollbackAction service={service} /></div>
        </section>
      )}
      <h2>Tasks by node</h2>
      <TasksByNode tasks={tasks} snap={snap} />
      <h2>Logs</h2>
      <TaskLogs service={service.spec.name} tasks={tasks.filter((t) => t.nodeId)} />
      <h2>History</h2>
      <TaskHistory tasks={tasks} snap={snap} />
    </>
  );
}
