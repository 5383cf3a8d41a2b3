/**
 * A service's networking: its virtual IP, the networks it joins, its
 * endpoint mode, and its endpoints (the addresses of its running tasks).
 * Fields appear as the API provides them; a cluster without networking
 * shows "—".
 */
import { specNetworks, type Service, type Task } from '@shoal/types';
import type { Snapshot } from '../store.js';
import { nodeName, serviceTasks } from '../cluster-view.js';

export function serviceEndpoints(tasks: Task[], service: Service): Task[] {
  return serviceTasks(tasks, service).filter((t) => t.desiredState === 'running' && t.status.state === 'running' && t.status.addresses && Object.keys(t.status.addresses).length > 0);
}

/** One line for the services table. */
export function ServiceNetworkCell({ service, snap }: { service: Service; snap: Snapshot }) {
  const endpoints = serviceEndpoints(snap.tasks, service).length;
  if (!service.vip && endpoints === 0) return <>—</>;
  return (
    <>
      {service.vip && <code data-field="vip">{service.vip}</code>}
      {endpoints > 0 && <span class="muted"> {endpoints} endpoint{endpoints === 1 ? '' : 's'}</span>}
    </>
  );
}

export function ServiceNetwork({ service, snap }: { service: Service; snap: Snapshot }) {
  const endpoints = serviceEndpoints(snap.tasks, service);
  const networks = specNetworks(service.spec);
  return (
    <>
      <div><dt>Virtual IP</dt><dd data-field="vip">{service.vip ? <code>{service.vip}</code> : '— (none allocated)'}</dd></div>
      <div><dt>Networks</dt><dd>{networks.map((n) => `${n.name}${n.aliases.length ? ` (aliases ${n.aliases.join(', ')})` : ''}`).join(', ')}; endpoint mode {service.spec.endpointMode ?? 'vip'}</dd></div>
      <div>
        <dt>Endpoints</dt>
        <dd data-field="endpoints">
          {endpoints.length === 0
            ? '— (no running task has reported an address)'
            : endpoints.map((t) => (
                <span key={t.id} class="endpoint">
                  <code>{Object.entries(t.status.addresses!).map(([net, addr]) => `${addr} (${net})`).join(', ')}</code> on {nodeName(snap.nodes, t.nodeId)}{' '}
                </span>
              ))}
        </dd>
      </div>
    </>
  );
}
