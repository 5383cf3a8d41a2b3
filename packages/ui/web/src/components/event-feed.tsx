/**
 * The live event stream, newest first, filterable by service and node. An
 * event names its subject (a service, a node, or a task id); task events are
 * matched to services and nodes through the tasks the console knows.
 */
import type { ClusterEvent } from '@shoal/api/contract';
import { useId, useState } from 'preact/hooks';
import type { Snapshot } from '../store.js';
import { clock } from '../format.js';

export function eventConcerns(ev: ClusterEvent, snap: Snapshot, service: string, node: string): boolean {
  const text = `${ev.subject} ${ev.summary}`;
  const taskMatches = (pred: (t: Snapshot['tasks'][number]) => boolean) =>
    snap.tasks.some((t) => pred(t) && (ev.subject === t.id || ev.summary.includes(t.id.slice(0, 9))));
  if (service) {
    const svc = snap.services.find((s) => s.spec.name === service);
    const named = ev.subject === service || new RegExp(`\\bservice ${escape(service)}\\b`).test(text);
    if (!named && !taskMatches((t) => t.serviceName === service || t.serviceId === svc?.id)) return false;
  }
  if (node) {
    const id = snap.nodes.find((n) => n.name === node)?.id;
    const named = ev.subject === node || new RegExp(`\\bnode ${escape(node)}\\b`).test(text);
    if (!named && !taskMatches((t) => t.nodeId === id)) return false;
  }
  return true;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function EventFeed({ snap }: { snap: Snapshot }) {
  const [service, setService] = useState('');
  const [node, setNode] = useState('');
  const serviceId = useId();
  const nodeId = useId();
  const shown = snap.events.filter((ev) => eventConcerns(ev, snap, service, node));
  return (
    <section class="event-feed">
      <div class="toolbar">
        <label for={serviceId}>Service</label>
        <select id={serviceId} value={service} onChange={(e) => setService((e.target as HTMLSelectElement).value)}>
          <option value="">all</option>
          {snap.services.map((s) => (
            <option key={s.id} value={s.spec.name}>{s.spec.name}</option>
          ))}
        </select>
        <label for={nodeId}>Node</label>
        <select id={nodeId} value={node} onChange={(e) => setNode((e.target as HTMLSelectElement).value)}>
          <option value="">all</option>
          {snap.nodes.map((n) => (
            <option key={n.id} value={n.name}>{n.name}</option>
          ))}
        </select>
        <span class="muted">{shown.length} of {snap.events.length} events since this page opened</span>
      </div>
      <ol class="events" aria-live="polite" aria-relevant="additions">
        {shown.map((ev) => (
          <li key={ev.index} data-type={ev.type}>
            <time>{clock(ev.at)}</time> <code class="event-type">{ev.type}</code> <span>{ev.summary}</span>
          </li>
        ))}
      </ol>
      {shown.length === 0 && <p>No events yet: changes appear here as they are committed.</p>}
    </section>
  );
}
