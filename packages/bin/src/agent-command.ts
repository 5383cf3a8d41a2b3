/**
 * `shoal agent`: the daemon's one command in the `shoal` binary. Flags are
 * parsed here; the daemon is loaded only when the command runs (libp2p and
 * LevelDB take a second to import, and every other command skips them).
 */
import { Command } from 'commander';
import type { ConfigInput } from '@shoal/daemon/run-agent';
import { readJoinToken } from '@shoal/cli';

const collect = (v: string, prev: string[]) => [...prev, v];

export function agentCommand(): Command {
  return new Command('agent')
    .description('run a shoal node (one per machine); --init creates a cluster, --join ADDR --join-token-file F joins one')
    .option('--config <file>', 'YAML/JSON config file (env SHOAL_CONFIG)')
    .option('--p2p-listen <host:port>', 'libp2p TCP listen address (default 127.0.0.1:7946)')
    .option('--api-listen <host:port>', 'admin API listen address (default 127.0.0.1:7070); off loopback it serves HTTPS with a cluster CA certificate')
    .option('--api-tls', 'serve HTTPS even on loopback (env SHOAL_API_TLS=1)')
    .option('--insecure-api', 'serve plain HTTP off loopback: the bearer token crosses the network in clear (env SHOAL_INSECURE_API=1)')
    .option('--advertise <host:port>', 'address other nodes dial, when --p2p-listen is 0.0.0.0')
    .option('--name <name>', 'node name (default: hostname)')
    .option('--label <key=value>', 'node label, repeatable', collect, [])
    .option('--driver <docker|exec>', 'task driver (default: docker when an engine answers, else exec)')
    .option('--init', 'create a new cluster with this node as its first voter')
    .option('--join <host:port>', 'join the cluster of the node at this p2p address')
    .option('--join-token-file <file>', 'file holding the join token (`shoal cluster token show > FILE` on a member); - reads standard input; env SHOAL_JOIN_TOKEN holds the token itself')
    .option('--token <token>', 'the join token itself: visible to every local user in the process list, prefer --join-token-file')
    .option('--voters <n>', 'Raft voters the autopilot keeps: 1, 3 or 5 (with --init; default 3)', (v) => Number(v))
    .option('--allow-dangerous', 'allow privileged tasks, host namespaces, devices, docker.sock mounts (with --init)')
    .option('--log-level <level>', 'trace|debug|info|warn|error (default info)')
    .option('--tick-ms <ms>', 'Raft tick (default 50)', (v) => Number(v))
    .option('--election-ticks <n>', 'a voter campaigns after n to 2n ticks without a leader (default 8: 400-800 ms); raise it on an overcommitted host', (v) => Number(v))
    .option('--snapshot-every <entries>', 'applied Raft entries between two snapshots; bounds the log on disk (default 10000)', (v) => Number(v))
    .option('--network <on|off>', 'service networking: VIPs, DNS, routing mesh (needs nftables and iproute2; default on)')
    .option('--vip-range <cidr>', 'virtual IPs of services (with --init; default 10.210.0.0/16)')
    .option('--subnet-pool <cidr>', 'container subnets, a /24 per network and node (with --init; default 10.211.0.0/16)')
    .action(async (_opts, cmd: Command) => {
      const o = cmd.optsWithGlobals();
      // With `agent`, the global --token-file (the CLI's API token) has no other use: take it as the join token file too.
      const joinToken = o.join
        ? readJoinToken({ token: o.token, joinTokenFile: o.joinTokenFile ?? o.tokenFile }, process.env, (line) => process.stderr.write(line + '\n'))
        : undefined;
      if (o.join && joinToken === undefined) {
        throw new Error('--join needs the join token: --join-token-file FILE (or - for stdin) or SHOAL_JOIN_TOKEN (get it with `shoal cluster token show` on a member)');
      }
      const input: ConfigInput = {
        config: o.config,
        dataDir: o.dataDir,
        p2pListen: o.p2pListen,
        apiListen: o.apiListen,
        apiTls: o.apiTls ? true : undefined,
        insecureApi: o.insecureApi ? true : undefined,
        advertise: o.advertise,
        name: o.name,
        labels: o.label?.length ? o.label : undefined,
        driver: o.driver,
        init: o.init ? true : undefined,
        join: o.join && joinToken ? { addr: o.join, token: joinToken } : undefined,
        voters: o.voters,
        allowDangerous: o.allowDangerous ? true : undefined,
        logLevel: o.logLevel,
        tickMs: o.tickMs,
        electionTicks: o.electionTicks,
        snapshotEvery: o.snapshotEvery,
        network: o.network,
        vipRange: o.vipRange,
        subnetPool: o.subnetPool,
      };
      const { runAgent } = await import('@shoal/daemon/run-agent');
      await runAgent(input);
    });
}
