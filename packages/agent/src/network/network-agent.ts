/**
 * This node's service-networking data plane. On every state change it
 * derives (with @shoal/netplan) the links, the Docker networks and the
 * nftables ruleset, and applies what changed: the ruleset atomically with
 * `nft -f` in the agent's own table, so a restarted agent converges to the
 * same rules and traffic keeps flowing meanwhile. It also serves DNS and
 * tells the drivers how to attach a task.
 */
import type Docker from 'dockerode';
import { performance } from 'node:perf_hooks';
import { ErrorCode, ShoalError, parseIpv4, specNetworks, type Task } from '@shoal/types';
import type { ClusterView } from '@shoal/state';
import { SHOAL_MARK, atomicScript, backendAddresses, conntrackDeletes, lookup, planLinks, renderRuleset, staleFlows, underlayAddress, endpointsOf, type LinkPlan } from '@shoal/netplan';
import type { Logger } from 'pino';
import { DnsServer } from './dns-server.js';
import { DockerNetworks } from './docker-networks.js';
import { checkNetworkTools, runCommand, type RunCommand } from './host-command.js';
import { applyLinks } from './links.js';

export interface NetworkAgentOptions {
  nodeId: string;
  view: ClusterView;
  logger: Logger;
  /** The engine whose bridge networks tasks join; absent on exec-only nodes. */
  docker?: Docker;
  run?: RunCommand;
  /** DNS port (53; tests use another). */
  dnsPort?: number;
  /**
   * Whether the local replica has caught up with the log. Rules are not
   * replaced before, so a restarted agent keeps the rules it left (traffic
   * flows) until it can compute the same ones again.
   */
  caughtUp?: () => boolean;
}

export interface DockerAttachment {
  /** Docker network names, primary first, with the shoal network each belongs to. */
  networks: { docker: string; network: string; aliases: string[] }[];
  dns: string[];
}

export interface NetworkStats {
  ruleSyncs: number;
  ruleSyncFailures: number;
  lastRuleSyncMs: number;
  ruleSyncSeconds: number[];
  /** `conntrack` deletions that found flows of a backend that left the rules. */
  flowFlushes: number;
  dnsQueries: number;
  dnsForwarded: number;
}

/** How long a task waits for its network's subnet on this node to be allocated. */
const ATTACH_WAIT_MS = 15_000;

export class NetworkAgent {
  private readonly run: RunCommand;
  private readonly log: Logger;
  private readonly dockerNets?: DockerNetworks;
  private dns?: DnsServer;
  private lastRules = '';
  private lastLinks = '';
  private lastLocal = '';
  /** Backends (address -> node) of the rules last applied, to flush the flows of those that leave. */
  private lastBackends = new Map<string, string>();
  /** Whether the `conntrack` tool is here (Debian's `conntrack`); without it stale flows wait out their timeout. */
  private conntrack = false;
  private syncing = false;
  private dirty = false;
  private stopped = false;
  private readonly waiters = new Set<() => void>();
  private dockerUserChecked = 0;
  private dnsAddress = '';
  readonly stats: NetworkStats = { ruleSyncs: 0, ruleSyncFailures: 0, lastRuleSyncMs: 0, ruleSyncSeconds: [], flowFlushes: 0, dnsQueries: 0, dnsForwarded: 0 };

  constructor(private readonly opts: NetworkAgentOptions) {
    this.run = opts.run ?? runCommand;
    this.log = opts.logger.child({ component: 'network' });
    if (opts.docker) this.dockerNets = new DockerNetworks(opts.docker, this.log);
  }

  /** Checks the tools (a clear error naming the package), brings up links and rules, starts DNS. */
  async start(): Promise<void> {
    await checkNetworkTools(this.run);
    // Forwarding for the overlay; route_localnet so `curl localhost:<ingress port>` on a node can be DNATed to a task (kube-proxy does the same).
    await this.enableSysctl('net/ipv4/ip_forward', 'the overlay cannot forward task traffic between nodes');
    await this.enableSysctl('net/ipv4/conf/all/route_localnet', 'ingress ports answer on this node\'s addresses but not on 127.0.0.1');
    this.conntrack = await this.run('conntrack', ['--version']).then(() => true, () => false);
    if (!this.conntrack) this.log.warn('the conntrack tool is missing (Debian: apt-get install conntrack): after a node dies, clients whose connection attempts already picked one of its tasks wait out their timeout instead of being moved');
    const plan = planLinks(this.opts.view, this.opts.nodeId);
    await applyLinks(this.run, plan);
    this.dnsAddress = plan.dns;
    this.dns = new DnsServer({
      address: plan.dns,
      port: this.opts.dnsPort,
      logger: this.log,
      resolve: (source, name) => this.resolve(source, name),
    });
    await this.dns.start();
    await this.sync();
  }

  /** Sets a kernel switch to 1, or warns with what breaks and the command to fix it (a container often has /proc/sys read-only). */
  private async enableSysctl(key: string, without: string): Promise<void> {
    const path = `/proc/sys/${key}`;
    const out = await this.run('cat', [path]).catch(() => '');
    if (String(out).trim() === '1') return;
    await this.run('sh', ['-c', `echo 1 > ${path}`]).catch(() => undefined);
    const after = await this.run('cat', [path]).catch(() => '');
    if (String(after).trim() !== '1') this.log.warn({ sysctl: key.replaceAll('/', '.') }, `could not set ${key.replaceAll('/', '.')}=1 (read-only /proc/sys?): ${without}; fix: sysctl -w ${key.replaceAll('/', '.')}=1 on the host, or --sysctl in the container`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.dns?.stop();
    // Rules and links stay: traffic keeps flowing while the agent restarts.
  }

  /** Called after every batch of applied commands. */
  onStateChange(): void {
    for (const w of [...this.waiters]) w();
    void this.sync();
  }

  private resolve(source: string, name: string) {
    const view = this.opts.view;
    const ip = parseIpv4(source);
    // A process on the node itself (exec tasks): every network's names (the host is trusted).
    const fromHost = ip === undefined || source === this.dnsAddress || source.startsWith('127.') || source === underlayAddress(view.node(this.opts.nodeId)?.addresses ?? []);
    return lookup(view, source, name, fromHost ? view.networks().map((n) => n.name) : undefined);
  }

  async sync(): Promise<void> {
    if (this.stopped) return;
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.dirty = false;
        await this.syncOnce();
      } while (this.dirty && !this.stopped);
    } finally {
      this.syncing = false;
    }
  }

  private async syncOnce(): Promise<void> {
    const view = this.opts.view;
    if (this.opts.caughtUp && !this.opts.caughtUp()) {
      if (!this.stopped) setTimeout(() => void this.sync(), 200).unref();
      return;
    }
    const plan = planLinks(view, this.opts.nodeId);
    try {
      const linksKey = JSON.stringify(plan);
      if (linksKey !== this.lastLinks) {
        await applyLinks(this.run, plan);
        this.lastLinks = linksKey;
      }
      const localKey = JSON.stringify(plan.local);
      if (this.dockerNets && localKey !== this.lastLocal) {
        await this.dockerNets.reconcile(plan.local);
        this.lastLocal = localKey;
      }
      await this.ensureDockerUserRule();
      const rules = renderRuleset(view, this.opts.nodeId);
      if (rules !== this.lastRules) {
        const started = performance.now();
        await this.run('nft', ['-f', '-'], atomicScript(rules));
        const ms = performance.now() - started;
        this.lastRules = rules;
        this.stats.ruleSyncs++;
        this.stats.lastRuleSyncMs = ms;
        this.stats.ruleSyncSeconds.push(ms / 1000);
        if (this.stats.ruleSyncSeconds.length > 1000) this.stats.ruleSyncSeconds.splice(0, 500);
        // Backends leave only through a rules change: no endpoint walk on the syncs that change nothing.
        await this.flushStaleFlows();
      }
    } catch (err) {
      this.stats.ruleSyncFailures++;
      this.lastLinks = '';
      this.log.warn({ err: (err as Error).message }, 'network sync failed; retrying on the next change');
      if (!this.stopped) setTimeout(() => void this.sync(), 1000).unref();
    }
    if (this.dns) {
      this.stats.dnsQueries = this.dns.queries;
      this.stats.dnsForwarded = this.dns.forwarded;
    }
  }

  /** After the rules changed: flows already bound to a backend that left are deleted, so their next packet is balanced anew. */
  private async flushStaleFlows(): Promise<void> {
    const view = this.opts.view;
    const now = backendAddresses(view);
    const stale = staleFlows(this.lastBackends, now, view);
    this.lastBackends = now;
    if (!this.conntrack) return;
    for (const f of stale) {
      for (const args of conntrackDeletes(f)) {
        // conntrack exits 1 when it found nothing to delete.
        if (await this.run('conntrack', args).then(() => true, () => false)) this.stats.flowFlushes++;
      }
    }
    if (stale.length > 0) this.log.debug({ backends: stale.map((f) => f.address) }, 'flushed the flows of backends that left');
  }

  /** Docker's FORWARD policy is DROP: one rule in its documented user chain accepts what shoal's table marked. */
  private async ensureDockerUserRule(): Promise<void> {
    if (!this.opts.docker || Date.now() - this.dockerUserChecked < 30_000) return;
    this.dockerUserChecked = Date.now();
    const rule = ['DOCKER-USER', '-m', 'mark', '--mark', `0x${SHOAL_MARK.toString(16)}`, '-m', 'comment', '--comment', 'shoal', '-j', 'ACCEPT'];
    try {
      await this.run('iptables', ['-C', ...rule]);
    } catch {
      await this.run('iptables', ['-I', ...rule.slice(0, 1), '1', ...rule.slice(1)]).catch((err: Error) => this.log.warn({ err: err.message }, 'could not add the DOCKER-USER accept rule'));
    }
  }

  /** How a docker task joins its networks; waits (bounded) for the leader to allocate the subnets. Null when the spec opts out (networkMode). */
  async dockerAttachment(task: Task): Promise<DockerAttachment | null> {
    if (task.spec.networkMode && task.spec.networkMode !== 'bridge') return null;
    const wanted = specNetworks(task.spec);
    const deadline = Date.now() + ATTACH_WAIT_MS;
    for (;;) {
      const plan = planLinks(this.opts.view, this.opts.nodeId);
      const local = wanted.map((w) => plan.local.find((l) => l.network === w.name));
      if (local.every((l) => l !== undefined)) {
        for (const l of local) await this.dockerNets?.ensure(l!);
        return { networks: local.map((l, i) => ({ docker: l!.dockerName, network: l!.network, aliases: wanted[i]!.aliases })), dns: [plan.dns] };
      }
      if (Date.now() > deadline || this.stopped) {
        const missing = wanted.filter((_, i) => !local[i]).map((w) => w.name);
        throw new ShoalError(ErrorCode.Timeout, `network ${missing.join(', ')} has no subnet on this node yet (the leader allocates it); the task will be retried`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(done, 500);
        this.waiters.add(done);
      });
    }
  }

  /** Environment for exec tasks: the DNS address and each reachable service's address. */
  execEnv(task: Task): Record<string, string> {
    const view = this.opts.view;
    const plan: LinkPlan = planLinks(view, this.opts.nodeId);
    const env: Record<string, string> = { SHOAL_DNS: plan.dns };
    const mine = new Set(specNetworks(task.spec).map((n) => n.name));
    for (const s of view.services()) {
      if (!specNetworks(s.spec).some((n) => mine.has(n.name))) continue;
      const addr = s.vip ?? endpointsOf(view, s)[0]?.address;
      if (addr !== undefined) env[`SHOAL_SERVICE_${s.spec.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_ADDR`] = addr;
    }
    return env;
  }

  /** Address exec tasks are reached at: this node's underlay address, on each of their networks. */
  execAddresses(task: Task): Record<string, string> | undefined {
    const ip = underlayAddress(this.opts.view.node(this.opts.nodeId)?.addresses ?? []);
    if (ip === undefined) return undefined;
    return Object.fromEntries(specNetworks(task.spec).map((n) => [n.name, ip]));
  }
}
