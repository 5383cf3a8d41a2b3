import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConstraint, matchConstraint, ShoalError } from '../src/index.js';

const node = { id: 'peer1', name: 'host-a', labels: { zone: 'eu', ssd: 'true' }, platform: { os: 'linux', arch: 'amd64' } };

const table: [string, boolean][] = [
  ['node.labels.zone == eu', true],
  ['node.labels.zone==us', false],
  ['node.labels.zone != us', true],
  ['node.labels.missing != x', true],
  ['node.labels.missing == x', false],
  ['node.id == peer1', true],
  ['node.hostname != host-a', false],
  ['node.platform.os == linux', true],
  ['node.platform.arch == arm64', false],
];

for (const [text, want] of table) {
  test(`constraint ${text} -> ${want}`, () => {
    assert.equal(matchConstraint(node, parseConstraint(text)), want);
    assert.equal(matchConstraint(node, text), want);
  });
}

test('parseConstraint splits key, operator and value', () => {
  assert.deepEqual(parseConstraint(' node.labels.rack == r 1 '), { text: ' node.labels.rack == r 1 ', field: 'labels', label: 'rack', op: '==', value: 'r 1' });
});

for (const bad of ['zone == eu', 'node.labels. == x', 'node.labels.zone = eu', 'node.id ==', '']) {
  test(`bad constraint "${bad}" throws INVALID_SPEC with help`, () => {
    assert.throws(() => parseConstraint(bad), (e: unknown) => e instanceof ShoalError && e.code === 'INVALID_SPEC' && /node\.labels/.test(e.message));
  });
}
