/**
 * NodeInfo.addresses are libp2p multiaddrs; operators type host:port.
 * /ip4/127.0.0.1/tcp/7946/p2p/… -> 127.0.0.1:7946 (anything else unchanged).
 */
export function hostPortOf(multiaddr: string): string {
  const m = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)/.exec(multiaddr);
  return m ? `${m[1]}:${m[2]}` : multiaddr;
}
