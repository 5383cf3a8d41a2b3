/**
 * Contexts: named connections to a cluster, as `docker context` and
 * kubeconfig keep them, in <config dir>/contexts.json (0600; the dir 0700):
 *   { "current": "prod", "contexts": { "prod": { "server": "https://10.0.0.1:7070", "ca": "<PEM>", "token": "..." } } }
 * The CA is stored by value so a context keeps working when the file it
 * came from moves; the CLI trusts exactly that CA for the context's server.
 * Config dir: SHOAL_CONFIG_DIR, else $XDG_CONFIG_HOME/shoal, else ~/.config/shoal.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShoalError } from '@shoal/types';

export interface CliContextEntry {
  server: string;
  /** PEM of the cluster CA this context pins. */
  ca?: string;
  /** API bearer token. */
  token?: string;
}

export interface ContextStore {
  current?: string;
  contexts: Record<string, CliContextEntry>;
}

export const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function configDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SHOAL_CONFIG_DIR) return env.SHOAL_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'shoal');
  if (env.HOME) return join(env.HOME, '.config', 'shoal');
  return undefined;
}

function storeFile(env: NodeJS.ProcessEnv): string | undefined {
  const dir = configDir(env);
  return dir ? join(dir, 'contexts.json') : undefined;
}

export function loadContexts(env: NodeJS.ProcessEnv): ContextStore {
  const file = storeFile(env);
  if (!file || !existsSync(file)) return { contexts: {} };
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as ContextStore;
    if (typeof doc !== 'object' || doc === null || typeof doc.contexts !== 'object' || doc.contexts === null) throw new Error('no "contexts" object');
    return doc;
  } catch (err) {
    throw new ShoalError(ErrorCode.BadConfig, `${file} is not a valid contexts file (${(err as Error).message}); fix or remove it`);
  }
}

export function saveContexts(env: NodeJS.ProcessEnv, store: ContextStore): string {
  const dir = configDir(env);
  if (!dir) throw new ShoalError(ErrorCode.BadConfig, 'no config dir: set HOME, XDG_CONFIG_HOME or SHOAL_CONFIG_DIR');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'contexts.json');
  // It holds tokens: private, and replaced atomically.
  writeFileSync(`${file}.tmp`, JSON.stringify(store, null, 2) + '\n', { mode: 0o600 });
  chmodSync(`${file}.tmp`, 0o600);
  renameSync(`${file}.tmp`, file);
  return file;
}

/** Reads and checks a CA certificate file: PEM, a CA. */
export function readCaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ShoalError(ErrorCode.BadConfig, `cannot read the CA certificate ${file}: ${(err as Error).message}`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(text);
  } catch {
    throw new ShoalError(ErrorCode.BadConfig, `${file} is not a PEM certificate; get the cluster's with \`shoal cluster ca > ca.pem\` on a node`);
  }
  if (!cert.ca) throw new ShoalError(ErrorCode.BadConfig, `${file} is not a CA certificate (${cert.subject}); give the cluster CA (\`shoal cluster ca\`), not a node's certificate`);
  return text;
}
