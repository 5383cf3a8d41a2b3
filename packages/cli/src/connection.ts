/**
 * Where the agent is, which token to present and which CA to trust:
 * a context (--context > SHOAL_CONTEXT > the current one, unless --host or
 * SHOAL_HOST is given) supplies server, CA and token;
 * host: --host > SHOAL_HOST > the context's server > http://127.0.0.1:7070;
 * token: SHOAL_TOKEN > --token-file > the context's > <--data-dir | SHOAL_DATA_DIR | ./shoal-data>/api.token;
 * CA: --ca > SHOAL_CA (files) > the context's; none = the system's roots.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShoalError } from '@shoal/types';
import { ShoalClient, pinnedFetch } from '@shoal/api';
import { loadContexts, readCaFile, type CliContextEntry } from './contexts.js';

export interface ConnectionFlags {
  host?: string;
  tokenFile?: string;
  dataDir?: string;
  context?: string;
  ca?: string;
}

export const DEFAULT_HOST = 'http://127.0.0.1:7070';
const DEFAULT_DATA_DIR = './shoal-data';

export interface Connection {
  baseUrl: string;
  token: string | undefined;
  /** PEM of the one CA to trust, when pinned. */
  ca?: string;
}

export function normalizeHost(host: string): string {
  const withScheme = /^https?:\/\//.test(host) ? host : `http://${host}`;
  try {
    return new URL(withScheme).toString().replace(/\/+$/, '');
  } catch {
    throw new ShoalError(ErrorCode.BadConfig, `--host: "${host}" is not a URL; use e.g. http://127.0.0.1:7070`);
  }
}

function readToken(file: string, explicit: boolean): string | undefined {
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token === '') throw new ShoalError(ErrorCode.BadConfig, `token file ${file} is empty`);
    return token;
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ShoalError(ErrorCode.BadConfig, `cannot read the API token from ${file}: ${(err as Error).message}`);
  }
}

function contextOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv): CliContextEntry | undefined {
  const explicit = flags.context ?? env.SHOAL_CONTEXT;
  if (explicit === undefined && (flags.host !== undefined || env.SHOAL_HOST !== undefined)) return undefined;
  const store = explicit !== undefined || flags.host === undefined ? loadContexts(env) : { contexts: {} };
  const name = explicit ?? store.current;
  if (name === undefined) return undefined;
  const ctx = Object.hasOwn(store.contexts, name) ? store.contexts[name] : undefined;
  if (!ctx) throw new ShoalError(ErrorCode.BadConfig, `no context named ${name}; list them with \`shoal context ls\``);
  return ctx;
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const ctx = contextOf(flags, env);
  const baseUrl = normalizeHost(flags.host ?? env.SHOAL_HOST ?? ctx?.server ?? DEFAULT_HOST);
  const caFile = flags.ca ?? env.SHOAL_CA;
  const ca = caFile !== undefined ? readCaFile(caFile) : ctx?.ca;
  const pin = ca !== undefined ? { ca } : {};
  if (env.SHOAL_TOKEN) return { baseUrl, token: env.SHOAL_TOKEN.trim(), ...pin };
  if (flags.tokenFile) return { baseUrl, token: readToken(flags.tokenFile, true), ...pin };
  if (ctx?.token) return { baseUrl, token: ctx.token, ...pin };
  const explicitDir = flags.dataDir ?? env.SHOAL_DATA_DIR;
  return { baseUrl, token: readToken(join(explicitDir ?? DEFAULT_DATA_DIR, 'api.token'), explicitDir !== undefined), ...pin };
}

export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ShoalClient {
  const { baseUrl, token, ca } = resolveConnection(flags, env);
  return new ShoalClient({ baseUrl, token, ...(ca !== undefined ? { fetch: pinnedFetch(ca) } : {}) });
}
