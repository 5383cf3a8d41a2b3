/** Task commands, batched so one Raft entry carries a whole reconcile step (task.restart is one task by design). */
import { canTransition, ErrorCode, type DesiredTaskState, type Task, type TaskStatus } from '@shoal/types';
import type { CommandOf, CommandResult, Skipped } from './commands.js';
import { pruneSlot, isFinished } from './history.js';
import { batch, fail, ok } from './result.js';
import type { Store } from './store.js';

const DESIRED_ORDER: Record<DesiredTaskState, number> = { running: 0, shutdown: 1, remove: 2 };

export function applyTaskCreate(store: Store, cmd: CommandOf<'task.create'>): CommandResult {
  const skipped: Skipped[] = [];
  let applied = 0;
  for (const t of cmd.tasks) {
    if (store.tasks.has(t.id)) skipped.push({ id: t.id, reason: 'task id already exists' });
    else if (!store.services.has(t.serviceId)) skipped.push({ id: t.id, reason: `service ${t.serviceId} not found` });
    else if (t.nodeId !== undefined && !store.nodes.has(t.nodeId)) skipped.push({ id: t.id, reason: `node ${t.nodeId} not found` });
    else {
      store.putTask({ ...t, createdAt: cmd.at, updatedAt: cmd.at });
      applied++;
    }
  }
  return batch(applied, skipped);
}

/** Waiting for the scheduler. A global service's task is created bound to its node and waits there for resources. */
function unplaced(t: Task): boolean {
  return t.desiredState === 'running' && (t.status.state === 'new' || t.status.state === 'pending');
}

export function applyTaskAssign(store: Store, cmd: CommandOf<'task.assign'>): CommandResult {
  const skipped: Skipped[] = [];
  let applied = 0;
  for (const a of cmd.assignments) {
    const t = store.tasks.get(a.taskId);
    const node = store.nodes.get(a.nodeId);
    if (!t) skipped.push({ id: a.taskId, reason: 'task not found' });
    else if (!unplaced(t)) skipped.push({ id: a.taskId, reason: 'task is no longer waiting for a node' });
    else if (t.nodeId !== undefined && t.nodeId !== a.nodeId) skipped.push({ id: a.taskId, reason: `task belongs to node ${t.nodeId}` });
    else if (!node || node.status !== 'ready' || node.availability !== 'active') skipped.push({ id: a.taskId, reason: `node ${a.nodeId} cannot take new tasks` });
    else {
      const next: Task = { ...t, nodeId: node.id, status: { state: 'assigned', timestamp: cmd.at, message: `assigned to ${node.name}` }, updatedAt: cmd.at };
      delete next.pendingReason;
      store.putTask(next);
      applied++;
    }
  }
  for (const p of cmd.pending ?? []) {
    const t = store.tasks.get(p.taskId);
    if (!t || !unplaced(t)) {
      skipped.push({ id: p.taskId, reason: 'task is no longer waiting for a node' });
      continue;
    }
    if (t.status.state === 'pending' && t.pendingReason === p.reason) continue;
    const status: TaskStatus = t.status.state === 'pending' ? { ...t.status, message: p.reason } : { state: 'pending', timestamp: cmd.at, message: p.reason };
    store.putTask({ ...t, status, pendingReason: p.reason, updatedAt: cmd.at });
    applied++;
  }
  return batch(applied, skipped);
}

/** Agents' reports. Regressions are ignored (the later state wins); same-state reports refresh health and details. */
export function applyTaskStatus(store: Store, cmd: CommandOf<'task.status'>): CommandResult {
  const skipped: Skipped[] = [];
  let applied = 0;
  for (const u of cmd.updates) {
    const t = store.tasks.get(u.taskId);
    if (!t) {
      skipped.push({ id: u.taskId, reason: 'task not found' });
      continue;
    }
    if (u.nodeId !== undefined && t.nodeId !== u.nodeId) {
      skipped.push({ id: u.taskId, reason: `task is not on node ${u.nodeId}` });
      continue;
    }
    let status: TaskStatus;
    if (u.status.state === t.status.state) status = { ...u.status, timestamp: t.status.timestamp };
    else if (canTransition(t.status.state, u.status.state)) status = { ...u.status };
    else {
      skipped.push({ id: u.taskId, reason: `ignored ${u.status.state}: task is already ${t.status.state}` });
      continue;
    }
    const next: Task = { ...t, status, updatedAt: cmd.at };
    // The restart backoff resets after a long enough run: remember when it began.
    if (status.state === 'running' && t.status.state !== 'running') next.startedAt = cmd.at;
    store.putTask(next);
    applied++;
    if (isFinished(next)) pruneSlot(store, next);
  }
  return batch(applied, skipped);
}

export function applyTaskDesired(store: Store, cmd: CommandOf<'task.desired'>): CommandResult {
  const skipped: Skipped[] = [];
  let applied = 0;
  for (const c of cmd.changes) {
    const t = store.tasks.get(c.taskId);
    if (!t) {
      skipped.push({ id: c.taskId, reason: 'task not found' });
      continue;
    }
    if (DESIRED_ORDER[c.desiredState] < DESIRED_ORDER[t.desiredState]) {
      skipped.push({ id: c.taskId, reason: `desired state is already ${t.desiredState}` });
      continue;
    }
    const next: Task = { ...t, desiredState: c.desiredState, updatedAt: cmd.at };
    if (c.state !== undefined && canTransition(t.status.state, c.state)) {
      next.status = { state: c.state, timestamp: cmd.at, message: c.message ?? t.status.message };
    }
    store.putTask(next);
    applied++;
    if (isFinished(next)) pruneSlot(store, next);
  }
  return batch(applied, skipped);
}

export function applyTaskRemove(store: Store, cmd: CommandOf<'task.remove'>): CommandResult {
  const skipped: Skipped[] = [];
  let applied = 0;
  for (const id of cmd.taskIds) {
    if (!store.tasks.has(id)) skipped.push({ id, reason: 'task not found' });
    else {
      store.deleteTask(id);
      applied++;
    }
  }
  return batch(applied, skipped);
}

/**
 * Restarts a task in place (Nomad's `alloc restart`): the old task is told
 * to stop and a copy of it, bound to the same node, waits until its
 * resources and ports are free. Both in one entry, so the orchestrator never
 * sees the slot empty or doubled. A manual restart does not count against
 * the restart policy.
 */
export function applyTaskRestart(store: Store, cmd: CommandOf<'task.restart'>): CommandResult {
  const t = store.tasks.get(cmd.taskId);
  if (!t) return fail(ErrorCode.NotFound, `task ${cmd.taskId} not found; list tasks with \`shoal service ps NAME\``);
  if (store.tasks.has(cmd.newTaskId)) return fail(ErrorCode.Conflict, `task id ${cmd.newTaskId} already exists`);
  if (t.desiredState !== 'running') return fail(ErrorCode.Conflict, `task ${t.id} is already told to ${t.desiredState === 'remove' ? 'go' : 'stop'}; its service has replaced it`);
  if (t.nodeId === undefined || t.status.state === 'new' || t.status.state === 'pending') return fail(ErrorCode.Conflict, `task ${t.id} is not placed on a node yet; there is nothing to restart`);
  const node = store.nodes.get(t.nodeId);
  if (!node || node.status !== 'ready') return fail(ErrorCode.Conflict, `node of task ${t.id} is not ready; its service replaces the task elsewhere`);
  const message = cmd.message ?? 'restarted by an operator';
  store.putTask({ ...t, desiredState: 'shutdown', updatedAt: cmd.at });
  const copy: Task = { ...t, id: cmd.newTaskId, desiredState: 'running', status: { state: 'new', timestamp: cmd.at, message }, createdAt: cmd.at, updatedAt: cmd.at };
  delete copy.startedAt;
  delete copy.pendingReason;
  store.putTask(copy);
  if (isFinished(store.tasks.get(t.id)!)) pruneSlot(store, t);
  return ok({ id: cmd.newTaskId });
}
