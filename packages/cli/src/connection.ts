/**
 * Where the agent is and which token to present:
 * host: --host > SHOAL_HOST > http://127.0.0.1:7070;
 * token: SHOAL_TOKEN > --token-file > <--data-dir | SHOAL_DATA_DIR | ./shoal-data>/api.token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShoalError } from '@shoal/types';
import { ShoalClient } from '@shoal/api';

export interface ConnectionFlags {
  host?: string;
  tokenFile?: string;
  dataDir?: string;
}

export const DEFAULT_HOST = 'http://127.0.0.1:7070';
const DEFAULT_DATA_DIR = './shoal-data';

export interface Connection {
  baseUrl: string;
  token: string | undefined;
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

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const baseUrl = normalizeHost(flags.host ?? env.SHOAL_HOST ?? DEFAULT_HOST);
  if (env.SHOAL_TOKEN) return { baseUrl, token: env.SHOAL_TOKEN.trim() };
  if (flags.tokenFile) return { baseUrl, token: readToken(flags.tokenFile, true) };
  const explicitDir = flags.dataDir ?? env.SHOAL_DATA_DIR;
  return { baseUrl, token: readToken(join(explicitDir ?? DEFAULT_DATA_DIR, 'api.token'), explicitDir !== undefined) };
}

export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ShoalClient {
  const { baseUrl, token } = resolveConnection(flags, env);
  return new ShoalClient({ baseUrl, token });
}
