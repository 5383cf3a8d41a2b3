/**
 * fetch that trusts exactly one CA (the cluster's), as `docker context` and
 * kubeconfig pin theirs: the system roots are not consulted, so only a
 * certificate the cluster CA signed, for the host named in the URL, is
 * accepted. Node-only (undici); the web console never imports it.
 */
// undici is loaded on the first request: every agent imports this package (its
// API server) but only a client that pins a CA needs undici's 1 MB of source.
type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;

export function pinnedFetch(caPem: string): typeof fetch {
  let dispatcher: InstanceType<Undici['Agent']> | undefined;
  return (async (input: string | URL, init?: RequestInit) => {
    const u = await (undici ??= import('undici'));
    dispatcher ??= new u.Agent({ connect: { ca: caPem, rejectUnauthorized: true } });
    return u.fetch(input, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;
}
