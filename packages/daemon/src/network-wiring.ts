/**
 * Service networking in the daemon: the node's data-plane agent (started
 * before the task drivers, which attach tasks through it), the leader's
 * network allocations in each control-loop pass, and the /metrics counters.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { Counter, Gauge, type Registry } from 'prom-client';
import { NetworkAgent, type NetworkStats } from '@shoal/agent';
import { planNetworking } from '@shoal/netplan';
import type { ClusterView, Command } from '@shoal/state';
import { DEFAULT_NETWORK_RANGES, type NetworkRanges } from '@shoal/types';
import type { Logger } from 'pino';
import type { DaemonConfig } from './config.js';

/** How long an endpoint keeps running after it left the rules, before its stop signal. */
export const DRAIN_MS = 1000;

export async function startNetworkAgent(
  cfg: DaemonConfig,
  nodeId: string,
  view: ClusterView,
  docker: Docker | undefined,
  caughtUp: () => boolean,
  log: Logger,
): Promise<NetworkAgent | undefined> {
  if (cfg.network === 'off') {
    log.info('service networking is off (--network off): no VIPs, DNS names or routing mesh');
    return undefined;
  }
  const agent = new NetworkAgent({ nodeId, view, docker, logger: log, caughtUp });
  await agent.start();
  return agent;
}

/** The cluster's address ranges given at init (only those set). */
export function initRanges(cfg: DaemonConfig): { network?: NetworkRanges } {
  if (cfg.vipRange === undefined && cfg.subnetPool === undefined) return {};
  return { network: { ...DEFAULT_NETWORK_RANGES, ...(cfg.vipRange ? { vipRange: cfg.vipRange } : {}), ...(cfg.subnetPool ? { subnetPool: cfg.subnetPool } : {}) } };
}

let lastProblems = '';

/** The leader's allocation commands for this pass (problems are logged once per change). */
export function networkCommands(view: ClusterView, log: Logger): Command[] {
  const plan = planNetworking(view, () => randomBytes(12).toString('hex'), Date.now());
  const problems = plan.problems.join('; ');
  if (problems !== lastProblems && problems) log.warn({ problems: plan.problems }, 'service networking could not allocate everything');
  lastProblems = problems;
  return plan.commands;
}

export function registerNetworkMetrics(registry: Registry, stats: () => NetworkStats | undefined): void {
  if (registry.getSingleMetric('shoal_network_rule_syncs_total')) return;
  const registers = [registry];
  const counter = (name: string, help: string, pick: (s: NetworkStats) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        const s = stats();
        this.reset();
        if (s) this.inc(pick(s));
      },
    });
  counter('shoal_network_rule_syncs_total', 'nftables ruleset replacements applied on this node', (s) => s.ruleSyncs);
  counter('shoal_network_rule_sync_failures_total', 'Network syncs that failed (retried)', (s) => s.ruleSyncFailures);
  counter('shoal_dns_queries_total', 'DNS queries served to tasks', (s) => s.dnsQueries);
  counter('shoal_network_flow_flushes_total', 'conntrack deletions that moved flows off a backend that left the rules', (s) => s.flowFlushes);
  counter('shoal_dns_forwarded_total', 'DNS queries forwarded to the host resolvers', (s) => s.dnsForwarded);
  new Gauge({
    name: 'shoal_network_rule_sync_last_seconds',
    help: 'Duration of the last nftables ruleset replacement',
    registers,
    collect() {
      const s = stats();
      if (s) this.set(s.lastRuleSyncMs / 1000);
    },
  });
  new Gauge({
    name: 'shoal_network_rule_sync_seconds_p99',
    help: 'p99 duration of recent nftables ruleset replacements',
    registers,
    collect() {
      const s = stats();
      if (!s || s.ruleSyncSeconds.length === 0) return;
      const sorted = [...s.ruleSyncSeconds].sort((a, b) => a - b);
      this.set(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!);
    },
  });
}
