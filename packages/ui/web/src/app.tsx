/** The console: login, then one page at a time chosen by the URL hash (#/cluster, #/services/web, ...). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ClusterStore } from './store.js';
import { clientFor, forgetToken, savedToken } from './session.js';
import { StoreContext, useSnapshot } from './use-store.js';
import { RoleContext } from './role.js';
import { pendingTasks } from './cluster-view.js';
import { LoginPage } from './components/login-page.js';
import { ConsoleNav } from './components/console-nav.js';
import { ClusterPage } from './pages/cluster-page.js';
import { ServicesPage } from './pages/services-page.js';
import { ServicePage } from './pages/service-page.js';
import { PendingPage } from './pages/pending-page.js';
import { EventsPage } from './pages/events-page.js';

function useHashRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function App() {
  const [token, setToken] = useState(savedToken);
  const [expired, setExpired] = useState<string | undefined>(undefined);
  if (!token) return <LoginPage reason={expired} onLogin={(t) => { setExpired(undefined); setToken(t); }} />;
  return (
    <Console
      key={token}
      token={token}
      onLogout={(reason) => {
        forgetToken();
        setExpired(reason);
        setToken(null);
      }}
    />
  );
}

function Console({ token, onLogout }: { token: string; onLogout: (reason?: string) => void }) {
  const store = useMemo(() => new ClusterStore((watch) => clientFor(token, watch)), [token]);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  return (
    <StoreContext.Provider value={store}>
      <Shell onLogout={onLogout} />
    </StoreContext.Provider>
  );
}

function Shell({ onLogout }: { onLogout: (reason?: string) => void }) {
  const snap = useSnapshot();
  const [page, arg] = useHashRoute();
  useEffect(() => {
    // A token that stopped working (rotated, wrong node) sends the operator back to the login page.
    if (snap.error && /API token/.test(snap.error)) onLogout(snap.error);
  }, [snap.error]);
  const current = page ?? 'cluster';
  return (
    // Until the token's role is known the console offers no action.
    <RoleContext.Provider value={snap.session?.role ?? 'read-only'}>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>Skip to content</button>
      <ConsoleNav page={current} stream={snap.stream} pendingCount={pendingTasks(snap.tasks).length} session={snap.session} onLogout={() => onLogout()} />
      {snap.error && <p class="banner" role="alert">{snap.error}</p>}
      <main id="main" tabIndex={-1}>
        {current === 'services' && arg ? <ServicePage name={arg} /> : current === 'services' ? <ServicesPage /> : current === 'pending' ? <PendingPage /> : current === 'events' ? <EventsPage /> : <ClusterPage />}
      </main>
    </RoleContext.Provider>
  );
}
