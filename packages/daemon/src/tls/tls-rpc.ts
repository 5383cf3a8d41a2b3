/**
 * The two RPCs of the cluster CA (members only, like every RPC but `join`):
 *   tls.issue  a CA holder signs the caller's API public key for the names
 *              the caller registered in the replicated state (never for
 *              names it asks for)
 *   tls.ca     a voter hands the CA key to another voter, and to no one else
 * and the loops that use them: a voter without the CA key fetches it; a node
 * gets its API certificate from a CA holder (itself, the leader, any voter).
 */
import { ErrorCode, ShoalError } from '@shoal/types';
import type { ClusterRuntime } from '../runtime.js';
import { sleep } from '../sleep.js';
import { issueServerCert, type CaPem } from './cluster-ca.js';
import { apiHostsOf, noCertificate, type ApiCredentials, type ApiTlsFiles } from './api-tls.js';

export const TLS_ISSUE_METHOD = 'tls.issue';
export const TLS_CA_METHOD = 'tls.ca';
const MAX_PUBLIC_KEY_CHARS = 2048;

export function registerTlsRpcs(rt: ClusterRuntime, files: ApiTlsFiles): void {
  rt.p2p.handle(TLS_ISSUE_METHOD, async (from, body) => {
    const ca = files.ca();
    if (!ca) throw new ShoalError(ErrorCode.NotFound, 'this node does not hold the cluster CA key; ask a voter');
    const publicKey = (body as { publicKey?: unknown } | null)?.publicKey;
    if (typeof publicKey !== 'string' || publicKey.length > MAX_PUBLIC_KEY_CHARS) throw new ShoalError(ErrorCode.BadMessage, 'tls.issue needs {publicKey: SPKI PEM}');
    const node = rt.state.node(from);
    if (!node) throw new ShoalError(ErrorCode.Unauthorized, `peer ${from} is not a registered node`);
    try {
      return { cert: await issueServerCert(ca, publicKey, { name: node.name, hosts: apiHostsOf(node) }, Date.now()), ca: ca.certPem };
    } catch (err) {
      throw new ShoalError(ErrorCode.BadMessage, `tls.issue: not an ECDSA P-256 public key (${(err as Error).message})`);
    }
  });
  rt.p2p.handle(TLS_CA_METHOD, async (from) => {
    if (!rt.raft.status().conf.voters.includes(from)) throw new ShoalError(ErrorCode.Forbidden, 'only voters may hold the cluster CA key');
    const ca = files.ca();
    if (!ca) throw new ShoalError(ErrorCode.NotFound, 'this node does not hold the cluster CA key');
    return ca;
  });
}

/** While this node is a voter without the CA key, fetch it from another voter. Returns a stop function. */
export function keepCaKey(rt: ClusterRuntime, files: ApiTlsFiles, everyMs = 3000): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || files.ca()) return;
    const voters = rt.raft.status().conf.voters;
    if (!voters.includes(rt.selfId)) return;
    busy = true;
    void (async () => {
      for (const v of voters.filter((id) => id !== rt.selfId)) {
        try {
          const ca = (await rt.p2p.request(v, TLS_CA_METHOD, {}, { timeoutMs: 3000 })) as CaPem;
          if (typeof ca?.keyPem === 'string' && typeof ca.certPem === 'string') {
            files.writeCa(ca);
            rt.log.info({ from: v }, 'holds the cluster CA key now (this node is a voter)');
            return;
          }
        } catch {
          // that voter has no key either, or is down: try the next
        }
      }
    })().finally(() => {
      busy = false;
    });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** This node's API credentials: the stored ones while good, else a new certificate from a CA holder. */
export async function obtainApiCredentials(rt: ClusterRuntime, files: ApiTlsFiles, timeoutMs = 30_000): Promise<ApiCredentials> {
  const hosts = apiHostsOf(rt.registration('learner'));
  const good = files.current(hosts, Date.now());
  if (good) return good;
  const { keyPem, publicKeyPem } = await files.apiKey();
  const own = files.ca();
  if (own) {
    const cert = await issueServerCert(own, publicKeyPem, { name: rt.opts.cfg.name, hosts }, Date.now());
    files.writeApiCert(cert, own.certPem);
    return { key: keyPem, cert, ca: own.certPem };
  }
  const deadline = Date.now() + timeoutMs;
  let last = 'no leader or voter answered';
  while (Date.now() < deadline) {
    const st = rt.raft.status();
    const holders = [...new Set([st.leader, ...st.conf.voters].filter((id): id is string => !!id && id !== rt.selfId))];
    for (const id of holders) {
      try {
        const res = (await rt.p2p.request(id, TLS_ISSUE_METHOD, { publicKey: publicKeyPem }, { timeoutMs: 5000 })) as { cert?: unknown; ca?: unknown };
        if (typeof res?.cert === 'string' && typeof res.ca === 'string') {
          files.writeApiCert(res.cert, res.ca);
          return { key: keyPem, cert: res.cert, ca: res.ca };
        }
      } catch (err) {
        last = (err as Error).message;
      }
    }
    await sleep(500);
  }
  throw noCertificate(`no voter issued one within ${timeoutMs} ms (${last})`);
}
