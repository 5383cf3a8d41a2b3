/** Runs a health-check command (`CMD` or `CMD-SHELL`) next to an exec task. */
import { spawn } from 'node:child_process';
import type { CheckResult } from './health-monitor.js';

const MAX_OUTPUT = 4096;

export function runCheckCommand(test: string[], opts: { cwd?: string; env: Record<string, string>; timeoutMs: number }): Promise<CheckResult> {
  const [kind, ...rest] = test;
  let file: string;
  let args: string[];
  if (kind === 'CMD-SHELL') {
    file = '/bin/sh';
    args = ['-c', rest.join(' ')];
  } else if (kind === 'CMD' && rest.length > 0) {
    [file, ...args] = rest;
  } else {
    return Promise.resolve({ ok: false, output: `unsupported health check test ${JSON.stringify(test)}: use ["CMD", exe, ...] or ["CMD-SHELL", script]` });
  }
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const collect = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `cannot run health check: ${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, output: `health check timed out after ${opts.timeoutMs} ms` });
      else resolve({ ok: code === 0, output: code === 0 ? output : output || `exit code ${code}` });
    });
  });
}
