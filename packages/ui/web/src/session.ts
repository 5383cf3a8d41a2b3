/**
 * The operator's API token lives in sessionStorage only: it is gone when the
 * tab closes, never written to localStorage, a cookie or a URL (so it cannot
 * leak into a server log or the browser history).
 */
import { ShoalClient } from '@shoal/api/client';

const KEY = 'shoal.token';

export function savedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** Told of every response, e.g. to know when the event stream is open before its first event. */
export type ResponseWatcher = (path: string, res: Response) => void;

/** The CLI's client, talking to the agent that served this page. */
export function clientFor(token: string, watch?: ResponseWatcher): ShoalClient {
  // fetch must be called on window, not on the client object ("Illegal invocation").
  const fetchOnWindow = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const res = await window.fetch(input, init);
    watch?.(new URL(String(input)).pathname, res);
    return res;
  };
  return new ShoalClient({ baseUrl: location.origin, token, fetch: fetchOnWindow as typeof fetch });
}
