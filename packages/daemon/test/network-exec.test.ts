/**
 * Service networking on loopback, where `nft` is available: a real agent in
 * a fresh network namespace (`unshare -n`, so nothing touches the host's
 * rules), the exec driver serving a service and a second exec task reaching
 * it through its VIP (the nftables output hook) with the address from its
 * environment; the DNS server answers the service name with the VIP; a name
 * no service owns is forwarded, not answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHOAL_BIN } from '@shoal/testkit';

const can = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const why =
  process.getuid?.() !== 0
    ? 'needs root (a network namespace)'
    : !can('nft', ['--version'])
      ? 'nft is not installed (Debian package nftables)'
      : !can('unshare', ['-n', 'true'])
        ? 'cannot make a network namespace here'
        : !can('busybox', ['true'])
          ? 'busybox is not installed'
          : null;

const SCRIPT = String.raw`
set -u
D="$1"; NODE="$2"; BIN="$3"
ip link set lo up
ip link add e0 type veth peer name e1 && ip addr add 10.99.0.1/24 dev e0 && ip link set e0 up && ip link set e1 up
mkdir -p "$D/www" && echo hello-from-web > "$D/www/index.html"
"$NODE" "$BIN" agent --init --voters 1 --driver exec --data-dir "$D/a" --p2p-listen 10.99.0.1:7946 --api-listen 127.0.0.1:7070 > "$D/agent.log" 2>&1 &
AG=$!
S() { "$NODE" "$BIN" --host 127.0.0.1:7070 --data-dir "$D/a" "$@"; }
for i in $(seq 1 120); do S node ls >/dev/null 2>&1 && break; sleep 0.5; done
S service create web --driver exec -- /bin/busybox httpd -f -p 18080 -h "$D/www" >/dev/null
VIP=""
for i in $(seq 1 40); do VIP=$(S service inspect web | sed -n 's/.*"vip": "\(.*\)".*/\1/p' | head -1); [ -n "$VIP" ] && S service inspect web | grep -q '"address"' && break; sleep 0.25; done
echo "VIP=$VIP"
S service create client --driver exec -- /bin/sh -c 'echo "ENV=$SHOAL_DNS $SHOAL_SERVICE_WEB_ADDR" > '"$D"'/env; until busybox wget -q -O '"$D"'/got http://$SHOAL_SERVICE_WEB_ADDR:18080/; do sleep 0.2; done; exec sleep 600' >/dev/null
for i in $(seq 1 40); do [ -s "$D/got" ] && break; sleep 0.25; done
cat "$D/env"; echo "GOT=$(cat "$D/got" 2>/dev/null)"
echo "DNS=$(busybox nslookup web 10.210.255.254 2>&1 | sed -n 's/^Address: *\(10\.210\.[0-9.]*\)$/\1/p' | grep -v 255.254 | head -1)"
echo "TABLE=$(nft list table ip shoal >/dev/null 2>&1 && echo yes)"
kill $AG; wait $AG 2>/dev/null
`;

test('exec driver: a task reaches another service through its VIP and its name resolves to it', { skip: why ?? false, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-netexec-'));
  try {
    const script = join(dir, 'run.sh');
    writeFileSync(script, SCRIPT);
    const res = spawnSync('unshare', ['-n', 'bash', script, dir, process.execPath, SHOAL_BIN], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, SHOAL_LOG_PRETTY: '0' } });
    const out = res.stdout;
    const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
    const vip = field('VIP');
    assert.match(vip, /^10\.210\.\d+\.\d+$/, `the service got a VIP:\n${out}\n${res.stderr}`);
    assert.equal(field('ENV'), `10.210.255.254 ${vip}`, 'the exec task\'s env carries the DNS address and the service address');
    assert.equal(field('GOT'), 'hello-from-web', 'the exec task reached the service through its VIP');
    assert.equal(field('DNS'), vip, 'the DNS server answers the service name with its VIP');
    assert.equal(field('TABLE'), 'yes', 'the agent programmed its own nftables table');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
