/**
 * One task's lifecycle on this node, written down: where the agent is with
 * the task (`TaskPhase`), and the one pure decision `nextAction` that says
 * what to do next from that phase and what has been observed. The runner
 * (task-runner.ts) performs the action; nothing else decides.
 *
 * Phases only move along these arrows (swarmkit's exec.Do is the model):
 *
 *   waiting -> preparing -> starting -> running -> exited
 *      ^          |           |           |    \-> stopping -> removed
 *      '----------'           '-> exited  |
 *   (prepare failed or cancelled)   adopted --'  (found at agent start)
 *
 * `starting` is entered just before `driver.start()` and never left back
 * to `waiting`: a task is started at most once by this agent.
 */
import type { TaskState } from '@shoal/types';
import { isTerminal, stateRank } from './task-state-order.js';

export type TaskPhase =
  /** Nothing started on this node. */
  | 'waiting'
  /** driver.prepare() (image pull) in progress; cancelled when the task is no longer wanted. */
  | 'preparing'
  /** driver.start() called: never again for this task. */
  | 'starting'
  /** A process found at agent start, before it was inspected. */
  | 'adopted'
  /** The process is up and its exit awaited. */
  | 'running'
  /** We are stopping it: its exit is a shutdown, not a failure. */
  | 'stopping'
  /** Its end (exit, failed start, failed health check) has been handled. */
  | 'exited'
  /** Stopped and removed because its desired state changed. */
  | 'removed';

/** What the runner does next for a task. */
export type TaskAction =
  | 'none'
  /** The task left this node's assignments: stop and remove its process, report nothing. */
  | 'forget'
  /** Desired state is no longer running: stop and remove its process, report shutdown. */
  | 'stop'
  /** Never started here and no longer wanted: report shutdown. */
  | 'cancel'
  /** Its health check failed: stop it and report failed. */
  | 'fail-unhealthy'
  /** A process is there but not watched yet (adopted): inspect it and await its exit. */
  | 'watch'
  /** The cluster thinks it runs here, but no process was found after an agent restart. */
  | 'report-lost'
  /** Assigned and never started: run the start path. */
  | 'start';

/** What the agent knows of a task besides its phase. */
export interface ObservedTask {
  /** Still among this node's assignments. */
  assigned: boolean;
  desiredRunning: boolean;
  /** The later of the replica's observed state and the last one this agent reported. */
  current: TaskState;
  /** A process handle exists (started here or adopted). */
  hasProcess: boolean;
  /** Set when a health check failed. */
  failure?: string;
}

export function nextAction(phase: TaskPhase, o: ObservedTask): TaskAction {
  if (!o.assigned) return 'forget';
  if (!o.desiredRunning) {
    if (phase === 'removed') return 'none';
    if (o.hasProcess) return 'stop';
    return stateRank(o.current) >= stateRank('assigned') ? 'cancel' : 'none';
  }
  if (o.failure !== undefined) return phase === 'exited' ? 'none' : 'fail-unhealthy';
  if (isTerminal(o.current)) return 'none';
  if (o.hasProcess) return phase === 'adopted' ? 'watch' : 'none';
  if (phase !== 'waiting') return 'none';
  if (stateRank(o.current) < stateRank('assigned')) return 'none'; // not placed yet (e.g. a global task just created)
  if (stateRank(o.current) >= stateRank('running')) return 'report-lost';
  return 'start';
}

/** An exit that the process made on its own counts only while we are not already ending it. */
export function exitCounts(phase: TaskPhase): boolean {
  return phase !== 'exited' && phase !== 'stopping' && phase !== 'removed';
}
