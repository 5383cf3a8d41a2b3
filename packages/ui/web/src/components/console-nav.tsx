/** The page links, the state of the live stream, and log out. */
import type { StreamState } from '../store.js';

const PAGES = [
  ['cluster', 'Cluster'],
  ['services', 'Services'],
  ['pending', 'Pending'],
  ['events', 'Events'],
] as const;

export function ConsoleNav({ page, stream, pendingCount, readOnly, onLogout }: { page: string; stream: StreamState; pendingCount: number; readOnly: boolean; onLogout: () => void }) {
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
      {readOnly && <span class="badge">read-only</span>}
      <button type="button" onClick={onLogout}>Log out</button>
    </header>
  );
}
