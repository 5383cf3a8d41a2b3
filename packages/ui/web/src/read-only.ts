/**
 * A read-only console hides every action. The API has no token roles yet
 * (one token per node, full rights), so nothing sets it today; it is here so
 * a role can switch the whole console at one place.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const ReadOnlyContext = createContext(false);

export function useReadOnly(): boolean {
  return useContext(ReadOnlyContext);
}
