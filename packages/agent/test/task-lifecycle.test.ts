/**
 * The task lifecycle as a table: for a phase and what has been observed,
 * the one action the runner takes. Each row is a rule of the agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskState } from '@shoal/types';
import { exitCounts, nextAction, type ObservedTask, type TaskAction, type TaskPhase } from '../src/task-lifecycle.js';

const wanted = (current: TaskState, over: Partial<ObservedTask> = {}): ObservedTask => ({ assigned: true, desiredRunning: true, current, hasProcess: false, ...over });
const unwanted = (current: TaskState, over: Partial<ObservedTask> = {}): ObservedTask => wanted(current, { desiredRunning: false, ...over });

const rows: [string, TaskPhase, ObservedTask, TaskAction][] = [
  // Starting
  ['an assigned task that never started here is started', 'waiting', wanted('assigned'), 'start'],
  ['an accepted (or preparing) one whose start was interrupted is started', 'waiting', wanted('preparing'), 'start'],
  ['a task not placed yet waits', 'waiting', wanted('pending'), 'none'],
  ['a new task waits', 'waiting', wanted('new'), 'none'],
  ['a task is started at most once: a failed start stays failed', 'exited', wanted('starting'), 'none'],
  ['the replica lagging behind a start in progress does not start it again', 'starting', wanted('assigned'), 'none'],
  // After an agent restart
  ['a process found at start is inspected and watched', 'adopted', wanted('running', { hasProcess: true }), 'watch'],
  ['a task the cluster thinks runs here but has no process is reported lost', 'waiting', wanted('running'), 'report-lost'],
  ['a watched process needs nothing more', 'running', wanted('running', { hasProcess: true }), 'none'],
  // Ending on its own
  ['a finished task stays finished', 'exited', wanted('complete', { hasProcess: true }), 'none'],
  ['a failed task is never restarted by the agent (the orchestrator replaces it)', 'waiting', wanted('failed'), 'none'],
  ['a rejected task is not retried', 'waiting', wanted('rejected'), 'none'],
  // Health
  ['a failed health check stops the task', 'running', wanted('running', { hasProcess: true, failure: 'health check failed' }), 'fail-unhealthy'],
  ['and only once', 'exited', wanted('failed', { hasProcess: true, failure: 'health check failed' }), 'none'],
  // Stopping
  ['a running task no longer desired is stopped and removed', 'running', unwanted('running', { hasProcess: true }), 'stop'],
  ['an exited one no longer desired is removed', 'exited', unwanted('failed', { hasProcess: true }), 'stop'],
  ['a stop interrupted by an error is tried again', 'stopping', unwanted('running', { hasProcess: true }), 'stop'],
  ['a removed task needs nothing more', 'removed', unwanted('shutdown', { hasProcess: true }), 'none'],
  ['a task stopped before it started is reported shut down', 'waiting', unwanted('assigned'), 'cancel'],
  ['and only once', 'removed', unwanted('shutdown'), 'none'],
  ['a task stopped before it was even placed is left alone', 'waiting', unwanted('pending'), 'none'],
  ['desired state wins over a failed health check', 'running', unwanted('running', { hasProcess: true, failure: 'unhealthy' }), 'stop'],
  // Leaving the node
  ['a task no longer assigned here is forgotten, whatever its phase', 'running', wanted('running', { assigned: false, hasProcess: true }), 'forget'],
  ['even before it started', 'preparing', unwanted('preparing', { assigned: false }), 'forget'],
];

for (const [rule, phase, observed, action] of rows) {
  test(`${rule} (${phase}, ${observed.current} -> ${action})`, () => {
    assert.equal(nextAction(phase, observed), action);
  });
}

test('an exit counts only while the agent is not already ending the task', () => {
  const counts = (['waiting', 'preparing', 'starting', 'adopted', 'running', 'stopping', 'exited', 'removed'] as TaskPhase[]).filter(exitCounts);
  assert.deepEqual(counts, ['waiting', 'preparing', 'starting', 'adopted', 'running']);
});
