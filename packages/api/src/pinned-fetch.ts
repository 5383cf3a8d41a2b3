/**
 * fetch that trusts exactly one CA (the cluster's), as `docker context` and
 * kubeconfig pin theirs: the system roots are not consulted, so only a
 * certificate the cluster CA signed, for the host named in the URL, is
 * accepted. Node-only (undici); the web console never imports it.
 */
import { Agent, fetch as undiciFetch } from 'undici';

export function pinnedFetch(caPem: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: caPem, rejectUnauthorized: true } });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
}
