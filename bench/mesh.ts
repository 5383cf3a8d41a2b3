// `npm run bench -- mesh [--runs N] [--seconds S] [--connections C] [--client-node K] [--backend nginx|busybox]`:
// the routing mesh's data path on the 5 Docker-in-Docker nodes of the e2e suite.
// A service of 2 web tasks pinned to node1 and node2: nginx (Debian's nginx-light,
// keep-alive, the default) or busybox httpd (a fork and a new connection per
// request, so the backends bound every path). Every client runs on node5,
// which runs no task of it, unless --client-node. wrk (Debian, in the node image)
// at a fixed concurrency against:
//   direct   one task's address (over the VXLAN overlay, no NAT)
//   vip      the service VIP, from a container on node5 (nsenter into its network namespace)
//   ingress  node5's published port (routing mesh: DNAT to a task on another node)
//   haproxy  HAProxy 2.6 (Debian) on node5, mode http, with the same two backends
// Runs of each target are interleaved (same conditions); medians of the runs
// go to bench/results/mesh.json (nginx) or mesh-busybox.json.
import { percentile, printTable, round, writeResult } from './util.js';
import type { Task } from '@shoal/types';
import { loadLibs, parseWrk, runningOn, type WrkResult } from './mesh-cluster.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export async function main(args: string[]): Promise<void> {
  const runs = arg(args, 'runs', 5);
  const seconds = arg(args, 'seconds', 10);
  const conns = arg(args, 'connections', 32);
  const { lib } = await loadLibs();
  const log = (...a: unknown[]) => console.error('#', ...a);
  const cluster = new lib.ComposeCluster({ log });
  const CLIENT = 4; // node5: runs no task; its ingress port and HAProxy are measured
  // Where wrk runs for direct/ingress/haproxy: node5 itself (default), or --client-node K (1-5), an outside client of node5's port.
  const WRK = arg(args, 'client-node', 5) - 1;
  const b = args.indexOf('--backend');
  const backend = b >= 0 ? args[b + 1] : 'nginx';
  if (backend !== 'nginx' && backend !== 'busybox') throw new Error(`--backend nginx|busybox, not ${backend}`);
  log(`node image ready in ${cluster.buildImage()} ms`);
  await cluster.up();
  try {
    const c = cluster.client(0);
    await c.createService({
      name: 'meshweb',
      ...(backend === 'nginx' ? { image: 'shoal-test/nginx:1' } : { image: 'shoal-test/busybox:1', args: ['httpd', '-f', '-h', '/www'] }),
      replicas: 2,
      ports: [{ published: 8080, target: 80 }],
      placement: { constraints: ['node.hostname!=node3', 'node.hostname!=node4', 'node.hostname!=node5'], maxReplicasPerNode: 1 },
    });
    await c.createService({ name: 'meshclient', image: 'shoal-test/busybox:1', args: ['sleep', '1000000'], placement: { constraints: ['node.hostname==node5'] } });
    const tasks = await lib.waitFor<Task[] | false>('2 web tasks with addresses and a client', 180_000, async () => {
      const web = runningOn(await c.listTasks({ service: 'meshweb' })).filter((t) => t.status.addresses?.default);
      const cl = runningOn(await c.listTasks({ service: 'meshclient' }));
      return web.length === 2 && cl.length === 1 ? web : false;
    }, 1000);
    const addrs = (tasks as Task[]).map((t) => t.status.addresses!.default!);
    const vip = (await c.getService('meshweb')).vip!;
    const clientPid = (await cluster.exec(CLIENT, ['sh', '-c', "docker inspect -f '{{.State.Pid}}' $(docker ps -q --filter label=shoal.service=meshclient)"])).trim();
    const haproxyCfg = [
      'global', '  maxconn 4096', 'defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s',
      'frontend web', '  bind :9090', '  default_backend tasks', 'backend tasks', '  balance roundrobin',
      ...addrs.map((a, i) => `  server t${i} ${a}:80`),
    ].join('\n');
    await cluster.exec(CLIENT, ['sh', '-c', `printf '%s\\n' '${haproxyCfg.replace(/'/g, "'\\''")}' > /tmp/haproxy.cfg && (haproxy -D -f /tmp/haproxy.cfg -p /tmp/haproxy.pid)`]);
    const ip5 = lib.nodeIp(CLIENT);
    const wrk = ['wrk', '-t2', `-c${conns}`, `-d${seconds}s`, '--latency'];
    const targets: Record<string, string[]> = {
      direct: [...wrk, `http://${addrs[0]}:80/`],
      vip: ['nsenter', '-t', clientPid, '-n', ...wrk, `http://${vip}:80/`],
      ingress: [...wrk, `http://${ip5}:8080/`],
      haproxy: [...wrk, `http://${ip5}:9090/`],
    };
    for (const [name, argv] of Object.entries(targets)) {
      const probe = parseWrk(await cluster.exec(name === 'vip' ? CLIENT : WRK, [...argv.slice(0, argv.indexOf('-d' + seconds + 's')), '-d2s', '--latency', argv[argv.length - 1]], 60_000));
      log(`warm-up ${name}: ${round(probe.rps)} req/s, ${probe.errors} errors`);
    }
    const samples: Record<string, WrkResult[]> = { direct: [], vip: [], ingress: [], haproxy: [] };
    for (let r = 0; r < runs; r++) {
      for (const [name, argv] of Object.entries(targets)) {
        const res = parseWrk(await cluster.exec(name === 'vip' ? CLIENT : WRK, argv, (seconds + 60) * 1000));
        samples[name]!.push(res);
        log(`run ${r + 1}/${runs} ${name}: ${round(res.rps)} req/s p50 ${res.p50Ms} ms p99 ${res.p99Ms} ms errors ${res.errors}`);
      }
    }
    const med = (xs: number[]) => percentile(xs, 50);
    const result: Record<string, { rps: number; p50Ms: number; p99Ms: number; errors: number }> = {};
    for (const [name, xs] of Object.entries(samples)) {
      result[name] = { rps: round(med(xs.map((x) => x.rps))), p50Ms: round(med(xs.map((x) => x.p50Ms)), 2), p99Ms: round(med(xs.map((x) => x.p99Ms)), 2), errors: xs.reduce((s, x) => s + x.errors, 0) };
    }
    printTable(Object.entries(result).map(([target, r]) => ({ target, 'req/s': r.rps, 'p50 ms': r.p50Ms, 'p99 ms': r.p99Ms, errors: r.errors })));
    const ratio = (a: string, b: string) => round(result[a]!.rps / result[b]!.rps, 2);
    console.log(`ingress/direct ${ratio('ingress', 'direct')} (goal >= 0.9), ingress/haproxy ${ratio('ingress', 'haproxy')} (goal >= 1.2), p99 ingress ${result.ingress!.p99Ms} ms vs haproxy ${result.haproxy!.p99Ms} ms`);
    writeResult(backend === 'nginx' ? 'mesh' : 'mesh-busybox', { ...result, backend, runs, seconds, connections: conns, threads: 2, backends: 2, wrkOn: `node${WRK + 1}`, samples });
  } finally {
    if (process.env.SHOAL_E2E_KEEP !== '1') await cluster.down_().catch(() => undefined);
  }
}
