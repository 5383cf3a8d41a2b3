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

test('the overlay block grows with the pool: a node per subnet block, never less than a /24', () => {
  const overlay = (subnetPool: string, subnetPrefix = 24) => {
    const r = parseRanges({ vipRange: '10.210.0.0/16', subnetPool, subnetPrefix });
    return `${allocateOverlay(r, new Set())} in /${r.overlay.prefix}`;
  };
  assert.equal(overlay('10.211.0.0/16'), '10.211.255.1 in /24', 'the default: unchanged');
  assert.equal(overlay('10.192.0.0/12'), '10.207.240.1 in /20', '4,096 blocks: 4,094 nodes');
  assert.equal(overlay('10.211.0.0/16', 26), '10.211.252.1 in /22', 'smaller subnets, more nodes');
  assert.equal(overlay('10.8.0.0/22'), '10.8.3.1 in /24');
  // 300 nodes on a /12 pool: every one gets an overlay address and a subnet outside the overlay block.
  const r = parseRanges({ vipRange: '10.210.0.0/16', subnetPool: '10.192.0.0/12', subnetPrefix: 24 });
  const taken = new Set<string>();
  const subnets: string[] = [];
  for (let i = 0; i < 300; i++) {
    const o = allocateOverlay(r, taken);
    assert.ok(o, `node ${i} has an overlay address`);
    taken.add(o);
    const sn = allocateSubnet(r, subnets);
    assert.ok(sn && !sn.startsWith('10.207.24') && !sn.startsWith('10.207.25'), `subnet ${sn}`);
    subnets.push(sn);
  }
});
