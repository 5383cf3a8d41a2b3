/**
 * What the token may change, from `GET /v1/session`: a read-only token gets
 * a console without actions, an operator one without node actions. The API
 * checks every call anyway; this only spares the operator buttons that
 * would be refused.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionRole } from '@shoal/api/client';

export const RoleContext = createContext<SessionRole>('read-only');

const POWER: SessionRole[] = ['read-only', 'operator', 'admin'];

/** Services need operator; nodes need admin. */
export function useMayChange(what: 'services' | 'nodes'): boolean {
  const role = useContext(RoleContext);
  return POWER.indexOf(role) >= POWER.indexOf(what === 'services' ? 'operator' : 'admin');
}

export function useRole(): SessionRole {
  return useContext(RoleContext);
}
