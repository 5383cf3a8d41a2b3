import { useSnapshot } from '../use-store.js';
import { EventFeed } from '../components/event-feed.js';

export function EventsPage() {
  const snap = useSnapshot();
  return (
    <>
      <h1>Events</h1>
      <EventFeed snap={snap} />
    </>
  );
}
