/** The live event stream, newest first, filterable by service and node. */
import { useId, useState } from 'preact/hooks';
import type { Snapshot } from '../store.js';
import { clock } from '../format.js';
import { eventConcerns } from '../event-filter.js';

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
