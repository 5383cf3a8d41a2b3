/**
 * A node's side of the admin API's TLS, kept in <data-dir>/tls/:
 *   ca.crt   the cluster CA certificate (every node; what CLIs pin)
 *   ca.key   the CA key: made at `init`, held only by voters (fetched from
 *            another voter over `tls.ca`, which refuses non-voters)
 *   api.key  this node's API key (made here, never leaves the node)
 *   api.crt  its certificate, issued over `tls.issue` by a CA holder for
 *            the names the node registered (name, p2p and API hosts,
 *            loopback); reused across restarts while valid for 30 days more
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShoalError, type NodeInfo } from '@shoal/types';
import type { NodeRegistration } from '@shoal/state';
import { writeDurable } from '../data-dir.js';
import { certStillGood, generateKeyPair, type CaPem } from './cluster-ca.js';

export interface ApiCredentials {
  key: string;
  cert: string;
  ca: string;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '']);

/** Hosts a node's API certificate names: its p2p hosts, its API host, loopback. */
export function apiHostsOf(node: Pick<NodeInfo | NodeRegistration, 'addresses' | 'apiAddress'>): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '::1']);
  for (const a of node.addresses ?? []) {
    const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\//.exec(a);
    if (m && !UNSPECIFIED.has(m[2])) hosts.add(m[2]);
  }
  const api = node.apiAddress ? /^\[?([^\]]*?)\]?:\d+$/.exec(node.apiAddress)?.[1] : undefined;
  if (api !== undefined && !UNSPECIFIED.has(api)) hosts.add(api);
  return [...hosts];
}

export class ApiTlsFiles {
  constructor(readonly dir: string) {}

  private file(name: string): string {
    return join(this.dir, name);
  }
  private read(name: string): string | null {
    return existsSync(this.file(name)) ? readFileSync(this.file(name), 'utf8') : null;
  }
  private write(name: string, text: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeDurable(this.file(name), text);
  }

  get caCertFile(): string {
    return this.file('ca.crt');
  }
  caCert(): string | null {
    return this.read('ca.crt');
  }
  /** The CA key and certificate, when this node holds the key. */
  ca(): CaPem | null {
    const keyPem = this.read('ca.key');
    const certPem = this.read('ca.crt');
    return keyPem && certPem ? { keyPem, certPem } : null;
  }
  writeCa(ca: CaPem): void {
    this.write('ca.crt', ca.certPem);
    this.write('ca.key', ca.keyPem);
  }
  writeCaCert(certPem: string): void {
    this.write('ca.crt', certPem);
  }

  /** This node's API key pair, made on first use. */
  async apiKey(): Promise<{ keyPem: string; publicKeyPem: string }> {
    const keyPem = this.read('api.key');
    if (keyPem) return { keyPem, publicKeyPem: createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString() };
    const made = await generateKeyPair();
    this.write('api.key', made.keyPem);
    return { keyPem: made.keyPem, publicKeyPem: made.publicKeyPem };
  }

  writeApiCert(certPem: string, caPem: string): void {
    this.write('ca.crt', caPem);
    this.write('api.crt', certPem);
  }

  /** Key, certificate and CA when the stored certificate is still good for `hosts`. */
  current(hosts: string[], now: number): ApiCredentials | null {
    const key = this.read('api.key');
    const cert = this.read('api.crt');
    const ca = this.read('ca.crt');
    if (!key || !cert || !ca || !certStillGood(cert, ca, hosts, now)) return null;
    return { key, cert, ca };
  }

  /** Whatever is stored, good or not (a removed node serves its last certificate). */
  stored(): ApiCredentials | null {
    const key = this.read('api.key');
    const cert = this.read('api.crt');
    const ca = this.read('ca.crt');
    return key && cert && ca ? { key, cert, ca } : null;
  }
}

export function noCertificate(why: string): ShoalError {
  return new ShoalError(
    ErrorCode.BadConfig,
    `the admin API needs TLS (its listen address is not loopback) but this node has no certificate: ${why}. ` +
      'Keep --api-listen on loopback, or start with --insecure-api to serve plain HTTP (the bearer token then crosses the network in clear)',
  );
}
