/**
 * The daemon's commands in the `shoal` CLI: `agent` runs a node; `init`
 * and `join` put a running agent into a cluster. The CLI discovers them
 * through the `@shoal/daemon/commands` export.
 */
import type { Command } from 'commander';
import { ShoalClient } from '@shoal/api';
import { resolveConnection } from '@shoal/cli';
import { resolveConfig, type ConfigInput } from './config.js';
import { createLogger } from './logger.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerCommands(program: Command): void {
  program
    .command('agent')
    .description('run a shoal node (one per machine); --init creates a cluster, --join ADDR --token T joins one')
    .option('--config <file>', 'YAML/JSON config file (env SHOAL_CONFIG)')
    .option('--p2p-listen <host:port>', 'libp2p TCP listen address (default 127.0.0.1:7946)')
    .option('--api-listen <host:port>', 'admin API listen address (default 127.0.0.1:7070)')
    .option('--advertise <host:port>', 'address other nodes dial, when --p2p-listen is 0.0.0.0')
    .option('--name <name>', 'node name (default: hostname)')
    .option('--label <key=value>', 'node label, repeatable', collect, [])
    .option('--driver <docker|exec>', 'task driver (default: docker when an engine answers, else exec)')
    .option('--init', 'create a new cluster with this node as its first voter')
    .option('--join <host:port>', 'join the cluster of the node at this p2p address')
    .option('--token <token>', 'join token (`shoal cluster token show` on a member)')
    .option('--voters <n>', 'Raft voters the autopilot keeps: 1, 3 or 5 (with --init; default 3)', (v) => Number(v))
    .option('--allow-dangerous', 'allow privileged tasks, host namespaces, devices, docker.sock mounts (with --init)')
    .option('--log-level <level>', 'trace|debug|info|warn|error (default info)')
    .option('--tick-ms <ms>', 'Raft tick; elections start after 10-20 ticks (default 50)', (v) => Number(v))
    .option('--network <on|off>', 'service networking: VIPs, DNS, routing mesh (needs nftables and iproute2; default on)')
    .option('--vip-range <cidr>', 'virtual IPs of services (with --init; default 10.210.0.0/16)')
    .option('--subnet-pool <cidr>', 'container subnets, a /24 per network and node (with --init; default 10.211.0.0/16)')
    .action(async (_opts, cmd: Command) => {
      const o = cmd.optsWithGlobals();
      if (o.join && !o.token) throw new Error('--join needs --token (get it with `shoal cluster token show` on a member)');
      const input: ConfigInput = {
        config: o.config,
        dataDir: o.dataDir,
        p2pListen: o.p2pListen,
        apiListen: o.apiListen,
        advertise: o.advertise,
        name: o.name,
        labels: o.label?.length ? o.label : undefined,
        driver: o.driver,
        init: o.init ? true : undefined,
        join: o.join ? { addr: o.join, token: o.token } : undefined,
        voters: o.voters,
        allowDangerous: o.allowDangerous ? true : undefined,
        logLevel: o.logLevel,
        tickMs: o.tickMs,
        network: o.network,
        vipRange: o.vipRange,
        subnetPool: o.subnetPool,
      };
      await runAgent(input);
    });

  program
    .command('init')
    .description('create a new cluster on a running agent that is in none, and print the join command')
    .option('--voters <n>', '1, 3 or 5 (default 3)', (v) => Number(v))
    .option('--allow-dangerous', 'allow privileged tasks and host access')
    .action(async (opts: { voters?: number; allowDangerous?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      const { token } = await client.initCluster({ voters: opts.voters, allowDangerous: opts.allowDangerous });
      const status = await client.clusterStatus();
      const self = (await client.getNode(status.self.id)).addresses[0] ?? '<this node p2p host:port>';
      process.stdout.write(`cluster ${status.clusterId} created; this node is its leader.\nTo add a node, run on it:\n  shoal agent --join ${hostPortOf(self)} --token ${token}\n`);
    });

  program
    .command('join <addr>')
    .description('make a running agent join the cluster of the node at ADDR (p2p host:port)')
    .requiredOption('--token <token>', 'join token')
    .action(async (addr: string, opts: { token: string }, cmd: Command) => {
      const status = await clientFor(cmd).joinCluster(addr, opts.token);
      process.stdout.write(`joined cluster ${status.clusterId} as ${status.self.role}; leader ${status.leader?.name ?? 'unknown'}\n`);
    });
}

function clientFor(cmd: Command): ShoalClient {
  const g = cmd.optsWithGlobals();
  return new ShoalClient(resolveConnection({ host: g.host, tokenFile: g.tokenFile, dataDir: g.dataDir }, process.env));
}

/** /ip4/127.0.0.1/tcp/7946/p2p/… -> 127.0.0.1:7946 */
export function hostPortOf(multiaddr: string): string {
  const m = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)/.exec(multiaddr);
  return m ? `${m[1]}:${m[2]}` : multiaddr;
}

export async function runAgent(input: ConfigInput): Promise<void> {
  const cfg = resolveConfig(input);
  const pretty = process.env.SHOAL_LOG_PRETTY !== undefined ? process.env.SHOAL_LOG_PRETTY === '1' : undefined;
  const log = createLogger({ level: cfg.logLevel, name: cfg.name, pretty });
  // Loaded here, not at the top: libp2p takes a second to import and the client commands never need it.
  const { ShoalNode } = await import('./node.js');
  const node = new ShoalNode(cfg, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'stopping: handing over leadership, leaving tasks running');
    node
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      });
  };
  // A bug in a background task must not take the node (and, under Docker-in-Docker, its tasks) down with it.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection (bug): logged, node keeps running'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await node.start();
  } catch (err) {
    await node.stop().catch(() => undefined);
    throw err;
  }
  if (cfg.init && node.runtime) {
    const { token } = await node.backend.showToken();
    const addr = hostPortOf(node.runtime.advertisedAddresses()[0] ?? cfg.p2pListen);
    log.info({ join: `shoal agent --join ${addr} --token ${token}` }, 'to add a node, run the join command on it');
  }
}
