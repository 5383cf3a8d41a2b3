/**
 * Tasks that are asked to go: delete those that stopped (or never started,
 * or whose node is gone), and record a final state for those that can no
 * longer report one, so history pruning can reclaim them.
 */
import type { Task } from '@shoal/types';
import type { Context } from './context.js';
import { hasEnded, isUnplaced, nodeCondition } from './task-facts.js';

export function cleanupTask(ctx: Context, t: Task): void {
  if (t.desiredState === 'running' || ctx.isDecided(t.id)) return;
  const lost = nodeCondition(t, ctx.nodes) === 'lost';
  if (t.desiredState === 'remove') {
    if (hasEnded(t) || isUnplaced(t) || lost) ctx.remove(t);
    return;
  }
  if (hasEnded(t)) return;
  if (isUnplaced(t)) ctx.stop(t, 'shutdown', 'stopped before it was placed', 'shutdown');
  else if (lost) ctx.stop(t, 'shutdown', `node ${t.nodeId} is down`, 'orphaned');
}
