/**
 * Runtime node labels. The agent registers the labels of its `--label` flags;
 * an operator changes them with `shoal node update`. The operator's changes
 * are kept apart (`operatorLabels`) and re-applied whenever the agent
 * re-registers, so a restart with the old flags does not undo them.
 */
import type { CommandOf, CommandResult } from './commands.js';
import type { Store } from './store.js';
import { fail, ok } from './result.js';
import { ErrorCode } from '@shoal/types';

/** The agent's labels with the operator's changes applied (null removes). */
export function withOperatorLabels(agent: Record<string, string>, changes: Record<string, string | null> | undefined): Record<string, string> {
  const labels = { ...agent };
  for (const [k, v] of Object.entries(changes ?? {})) {
    if (v === null) delete labels[k];
    else labels[k] = v;
  }
  return labels;
}

export function applyNodeLabels(store: Store, cmd: CommandOf<'node.labels'>): CommandResult {
  const node = store.nodes.get(cmd.nodeId);
  if (!node) return fail(ErrorCode.NotFound, `node ${cmd.nodeId} not found; list nodes with \`shoal node ls\``);
  const changes: Record<string, string | null> = { ...node.operatorLabels };
  for (const k of cmd.remove) changes[k] = null;
  for (const [k, v] of Object.entries(cmd.set)) changes[k] = v;
  const labels = { ...node.labels };
  for (const k of cmd.remove) delete labels[k];
  Object.assign(labels, cmd.set);
  store.putNode({ ...node, labels, operatorLabels: changes, updatedAt: cmd.at });
  return ok({ id: cmd.nodeId });
}
