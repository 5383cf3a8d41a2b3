import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecDefaults, cronIssue, nextCronTime, specIssues } from '../src/index.js';

const paths = (spec: unknown) => specIssues(spec).map((i) => i.path);

test('nextCronTime reads 5- and 6-field expressions in UTC, strictly after the given time', () => {
  const t = Date.UTC(2026, 0, 1, 10, 2, 0);
  assert.equal(nextCronTime('*/5 * * * *', t), Date.UTC(2026, 0, 1, 10, 5, 0));
  assert.equal(nextCronTime('*/5 * * * *', Date.UTC(2026, 0, 1, 10, 5, 0)), Date.UTC(2026, 0, 1, 10, 10, 0));
  assert.equal(nextCronTime('0 3 * * *', t), Date.UTC(2026, 0, 2, 3, 0, 0));
  assert.equal(nextCronTime('30 * * * * *', t), Date.UTC(2026, 0, 1, 10, 2, 30));
});

test('cronIssue explains what is wrong with a schedule', () => {
  assert.equal(cronIssue('*/15 * * * *'), null);
  assert.match(cronIssue('every day')!, /2 fields/);
  assert.notEqual(cronIssue('61 * * * *'), null);
});

test('job specs: job belongs to job modes, no replicas, completions only for replicated-job, schedule must parse', () => {
  const base = { name: 'j', driver: 'exec', command: ['/bin/true'] };
  assert.deepEqual(paths({ ...base, mode: 'replicated-job', job: { completions: 3, parallelism: 2, schedule: '0 * * * *' } }), []);
  assert.deepEqual(paths({ ...base, job: { completions: 3 } }), ['job']);
  assert.deepEqual(paths({ ...base, mode: 'replicated-job', replicas: 2 }), ['replicas']);
  assert.deepEqual(paths({ ...base, mode: 'global-job', job: { completions: 2 } }), ['job']);
  assert.deepEqual(paths({ ...base, mode: 'replicated-job', job: { schedule: 'often' } }), ['job.schedule']);
  assert.deepEqual(paths({ ...base, mode: 'global', update: { canary: 1 } }), ['update.canary']);
});

test('a job restarts only on failure by default; a service restarts on any exit', () => {
  assert.equal(applySpecDefaults({ name: 'j', mode: 'replicated-job' }).restart.condition, 'on-failure');
  assert.equal(applySpecDefaults({ name: 's' }).restart.condition, 'any');
  assert.equal(applySpecDefaults({ name: 'j', mode: 'global-job', restart: { condition: 'any' } }).restart.condition, 'any');
});
