import assert from 'node:assert/strict';
import { SimViolation } from '../src/index.js';

/** The kind of SimViolation `fn` throws, or null when it returns; any other error fails the test. */
export function violationKind(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    assert.ok(err instanceof SimViolation, `expected a SimViolation, got ${String(err)}`);
    return err.kind;
  }
}
