import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, ShoalError, isShoalError } from '../src/index.js';

test('a ShoalError keeps the error it explains as its cause, and never sends it to a client', () => {
  const low = Object.assign(new Error('listen EADDRINUSE 127.0.0.1:7070'), { code: 'EADDRINUSE' });
  const err = new ShoalError(ErrorCode.BadConfig, 'api-listen 127.0.0.1:7070 is already in use; pick another with --api-listen', undefined, { cause: low });
  assert.equal(err.cause, low);
  assert.ok(isShoalError(err));
  assert.deepEqual(err.toJSON(), { code: 'BAD_CONFIG', message: 'api-listen 127.0.0.1:7070 is already in use; pick another with --api-listen' });
});

test('without a cause, a ShoalError has none', () => {
  const err = new ShoalError(ErrorCode.NotFound, 'service web not found', { name: 'web' });
  assert.equal(err.cause, undefined);
  assert.deepEqual(err.toJSON(), { code: 'NOT_FOUND', message: 'service web not found', details: { name: 'web' } });
});
