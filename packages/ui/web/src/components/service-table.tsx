/** Every service: replicas running/desired, image or command, update state, ports, health. */
import type { Service } from '@shoal/types';
import type { Snapshot } from '../store.js';
import { desiredReplicas, extraServiceFields, runningReplicas, serviceTasks } from '../cluster-view.js';
import { portsText, valueText } from '../format.js';
import { StatusBadge } from './status-badge.js';
import { commandText } from '../command-words.js';
import { ServiceNetworkCell } from './service-network.js';
import { TableHead } from './table-head.js';

export function serviceHealth(snap: Snapshot, service: Service): string {
  const tasks = serviceTasks(snap.tasks, service).filter((t) => t.desiredState === 'running' && t.status.state === 'running');
  const unhealthy = tasks.filter((t) => t.status.health === 'unhealthy').length;
  if (!service.spec.healthcheck) return 'no check';
  return unhealthy ? `${unhealthy} unhealthy` : 'healthy';
}

export function whatRuns(service: Service): string {
  return service.spec.image ?? commandText(service.spec.command ?? []);
}

export function ServiceTable({ snap }: { snap: Snapshot }) {
  if (snap.services.length === 0) return <p>No services yet.</p>;
  return (
    <table class="services">
      <TableHead caption="Services" columns={['Name', 'Replicas', 'Image / command', 'Update', 'Ports', 'Health', 'Network']} />
      <tbody>
        {snap.services.map((s) => (
          <ServiceRow key={s.id} service={s} snap={snap} />
        ))}
      </tbody>
    </table>
  );
}

function ServiceRow({ service, snap }: { service: Service; snap: Snapshot }) {
  const desired = desiredReplicas(service, snap.nodes);
  const running = runningReplicas(snap.tasks, service);
  const extra = extraServiceFields(service);
  return (
    <tr data-service={service.spec.name}>
      <th scope="row">
        <a href={`#/services/${encodeURIComponent(service.spec.name)}`}>{service.spec.name}</a>
      </th>
      <td data-field="replicas" class={running < desired ? 'warn' : ''}>
        {running}/{desired}
      </td>
      <td><code>{whatRuns(service)}</code></td>
      <td>{service.updateStatus ? <StatusBadge state={service.updateStatus.state} title={service.updateStatus.message} /> : '—'}</td>
      <td>{portsText(service.spec.ports)}</td>
      <td>{serviceHealth(snap, service)}</td>
      <td>
        <ServiceNetworkCell service={service} snap={snap} />
        {extra.map(([k, v]) => <div key={k}><span class="muted">{k}:</span> <code>{valueText(v)}</code></div>)}
      </td>
    </tr>
  );
}
