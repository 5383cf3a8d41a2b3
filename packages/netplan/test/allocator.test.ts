import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateOverlay, allocateSubnet, allocateVip, parseRanges } from '../src/index.js';

const tiny = parseRanges({ vipRange: '10.9.0.0/29', subnetPool: '10.8.0.0/22', subnetPrefix: 24 });

test('VIPs: lowest free, never the network, DNS or broadcast address, undefined when full', () => {
  assert.equal(tiny.dns, '10.9.0.6');
  const taken = new Set<string>();
  const got: string[] = [];
  for (;;) {
    const v = allocateVip(tiny, taken);
    if (v === undefined) break;
    taken.add(v);
    got.push(v);
  }
  assert.deepEqual(got, ['10.9.0.1', '10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5']);
});

test('a freed VIP is reused', () => {
  const taken = new Set(['10.9.0.1', '10.9.0.2', '10.9.0.3']);
  taken.delete('10.9.0.2');
  assert.equal(allocateVip(tiny, taken), '10.9.0.2');
});

test('subnets skip the overlay block and taken blocks, and run out', () => {
  assert.equal(allocateSubnet(tiny, []), '10.8.0.0/24');
  assert.equal(allocateSubnet(tiny, ['10.8.0.0/24']), '10.8.1.0/24');
  assert.equal(allocateSubnet(tiny, ['10.8.0.0/23']), '10.8.2.0/24');
  assert.equal(allocateSubnet(tiny, ['10.8.0.0/24', '10.8.1.0/24', '10.8.2.0/24']), undefined, 'the last /24 holds overlay addresses');
});

test('overlay addresses come from the pool\'s last /24', () => {
  assert.equal(allocateOverlay(tiny, new Set()), '10.8.3.1');
  assert.equal(allocateOverlay(tiny, new Set(['10.8.3.1'])), '10.8.3.2');
  const full = new Set(Array.from({ length: 254 }, (_, i) => `10.8.3.${i + 1}`));
  assert.equal(allocateOverlay(tiny, full), undefined);
});
