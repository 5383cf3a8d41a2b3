/**
 * `node drain` moves replicas away from the node; a replica with a named
 * volume would start elsewhere with an empty volume. Ask first (or take
 * --yes); without a terminal to ask on, refuse and say how to confirm.
 */
import { createInterface } from 'node:readline/promises';
import type { ShoalClient } from '@shoal/api';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { CliContext } from './context.js';

export async function confirmDrain(client: ShoalClient, node: string, ctx: CliContext, yes: boolean): Promise<void> {
  if (yes) return;
  const tasks = await client.listTasks({ node });
  const bound = tasks.filter((t) => t.slot > 0 && (t.spec.mounts ?? []).some((m) => m.type === 'volume' && m.source));
  if (bound.length === 0) return;
  const what = bound.map((t) => `${t.serviceName}.${t.slot} (${(t.spec.mounts ?? []).filter((m) => m.type === 'volume').map((m) => m.source).join(', ')})`).join(', ');
  const question = `draining ${node} moves ${bound.length} task(s) away from their volume data, to start elsewhere with empty volumes: ${what}. Continue? [y/N] `;
  if (!process.stdin.isTTY) {
    throw new ShoalError(ErrorCode.Conflict, `${question.replace(/ Continue\? \[y\/N\] $/, '')}; run again with --yes to confirm`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new ShoalError(ErrorCode.Aborted, `drain of ${node} cancelled`);
  } finally {
    rl.close();
  }
}
