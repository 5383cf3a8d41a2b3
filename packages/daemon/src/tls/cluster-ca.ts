/**
 * The cluster CA behind the admin API's TLS (Swarm's built-in CA is the
 * model): an ECDSA P-256 key and a self-signed certificate made at `init`,
 * and server certificates it issues to nodes for their API. Keys and
 * certificates are PEM text; node crypto does the maths, @peculiar/x509
 * the encoding.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;
export const CA_VALID_DAYS = 3650;
export const SERVER_CERT_VALID_DAYS = 365;

export interface KeyPairPem {
  keyPem: string;
  /** SubjectPublicKeyInfo, PEM. */
  publicKeyPem: string;
}

export interface CaPem {
  keyPem: string;
  certPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function der(text: string): ArrayBuffer {
  const b = Buffer.from(text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

const serial = () => {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
};

export async function generateKeyPair(): Promise<KeyPairPem & { keys: CryptoKeyPair }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  return {
    keys,
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    publicKeyPem: pem('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', keys.publicKey)),
  };
}

function importPrivate(keyPem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', der(keyPem), ALG, false, ['sign']) as Promise<CryptoKey>;
}

export async function createClusterCa(clusterId: string, now: number): Promise<CaPem> {
  const { keys, keyPem } = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=shoal cluster CA ${clusterId}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + CA_VALID_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keyPem, certPem: cert.toString('pem') + '\n' };
}

export interface ServerIdentity {
  /** The node's name; also a DNS name in the certificate. */
  name: string;
  /** Host names and IP addresses the API may be reached at. */
  hosts: string[];
}

/** A server certificate for a node's API, signed by the cluster CA. */
export async function issueServerCert(ca: CaPem, publicKeyPem: string, id: ServerIdentity, now: number): Promise<string> {
  const publicKey = await webcrypto.subtle.importKey('spki', der(publicKeyPem), ALG, true, ['verify']);
  const caCert = new x509.X509Certificate(ca.certPem);
  const names = [...new Set([id.name, ...id.hosts])].map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${id.name.replace(/[,+="\\<>;#]/g, '_')}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + SERVER_CERT_VALID_DAYS * DAY_MS, caCert.notAfter.getTime())),
    publicKey,
    signingKey: await importPrivate(ca.keyPem),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  return cert.toString('pem') + '\n';
}

/**
 * Is `certPem` signed by `caPem`, valid for another `minDays`, and does it
 * name every host in `hosts`? A node reuses its certificate only then.
 */
export function certStillGood(certPem: string, caPem: string, hosts: string[], now: number, minDays = 30): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - now < minDays * DAY_MS) return false;
    const san = cert.subjectAltName ?? '';
    return hosts.every((h) => (isIP(h) ? san.includes(`IP Address:${h}`) : san.includes(`DNS:${h}`)));
  } catch {
    return false;
  }
}
