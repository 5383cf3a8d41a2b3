/** The page links, the state of the live stream, and log out. */
import type { ApiSession } from '@shoal/api/client';
import type { StreamState } from '../store.js';

const PAGES = [
  ['cluster', 'Cluster'],
  ['services', 'Services'],
  ['pending', 'Pending'],
  ['events', 'Events'],
] as const;

export function ConsoleNav({ page, stream, pendingCount, session, onLogout }: { page: string; stream: StreamState; pendingCount: number; session: ApiSession | null; onLogout: () => void }) {
  return (
    <header class="console-nav">
      <span class="brand">shoal</span>
      <nav aria-label="pages">
        <ul>
          {PAGES.map(([id, label]) => (
            <li key={id}>
              <a href={`#/${id}`} aria-current={page === id ? 'page' : undefined}>
                {label}
                {id === 'pending' && pendingCount > 0 ? ` (${pendingCount})` : ''}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <span class={`stream stream-${stream}`} role="status" data-stream={stream}>
        {stream === 'live' ? '● live' : stream === 'connecting' ? '○ connecting' : '○ reconnecting'}
      </span>
      {session && (
        <span class={`badge role-badge`} data-role={session.role} title={session.role === 'admin' ? 'may change services, nodes and the cluster' : session.role === 'operator' ? 'may change services, not nodes' : 'may look, not change'}>
          {session.name}: {session.role}
        </span>
      )}
      <button type="button" onClick={onLogout}>Log out</button>
    </header>
  );
}
