import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ClusterStore, Snapshot } from './store.js';

export const StoreContext = createContext<ClusterStore | null>(null);

export function useStore(): ClusterStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside <StoreContext.Provider>');
  return store;
}

/** The current snapshot; re-renders the caller on every change. */
export function useSnapshot(): Snapshot {
  const store = useStore();
  const [snap, setSnap] = useState(store.snapshot);
  useEffect(() => store.subscribe(() => setSnap(store.snapshot)), [store]);
  return snap;
}
