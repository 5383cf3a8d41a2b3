import { createApiServer } from '@shoal/api';
import { MemoryBackend } from '@shoal/api/testing';
import type { FastifyInstance } from 'fastify';
import { run } from '../src/main.js';

export const TOKEN = 'cli-test-token-0123456789';

export interface TestServer {
  backend: MemoryBackend;
  app: FastifyInstance;
  baseUrl: string;
  env: NodeJS.ProcessEnv;
}

export async function startServer(backend = new MemoryBackend()): Promise<TestServer> {
  const app = createApiServer({ backend, token: TOKEN });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  return { backend, app, baseUrl, env: { SHOAL_HOST: baseUrl, SHOAL_TOKEN: TOKEN } };
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Starts the CLI in this process; `out`/`err` fill while it runs (the e2e test spawns the real binary). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): { out: string[]; err: string[]; done: Promise<CliResult> } {
  const out: string[] = [];
  const err: string[] = [];
  const done = run(['node', 'shoal', ...args], { env, output: { out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false } }).then((code) => ({
    code,
    out: out.join('\n'),
    err: err.join('\n'),
  }));
  return { out, err, done };
}

export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}
