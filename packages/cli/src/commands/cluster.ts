import { Command } from 'commander';
import type { ClusterMember, ClusterStatus } from '@shoal/api';
import { json, table } from '../output.js';
import { ErrorCode, ShoalError } from '@shoal/types';
import { clientOf, type CliContext } from './context.js';

/** `--allow-dangerous` alone is true; `=true|false` (or yes/no, 1/0) says it outright. */
function parseBool(v: string | boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (/^(true|yes|1)$/i.test(v)) return true;
  if (/^(false|no|0)$/i.test(v)) return false;
  throw new ShoalError(ErrorCode.BadConfig, `expected true or false, not ${v}`);
}

export function statusText(s: ClusterStatus): string {
  const head = [
    `cluster:  ${s.clusterId}`,
    `leader:   ${s.leader ? `${s.leader.name} (${s.leader.id})` : 'none'}${s.hasQuorum ? '' : '  NO QUORUM: writes fail until a majority of voters is back'}`,
    `term:     ${s.term}`,
    `commit:   ${s.commitIndex}   applied: ${s.appliedIndex}`,
    `this node: ${s.self.name} (${s.self.isLeader ? 'leader' : s.self.role})`,
    '',
  ];
  const row = (m: ClusterMember) => [m.name, m.id, m.id === s.leader?.id ? 'leader' : m.role, m.status, m.healthy ? 'healthy' : 'unhealthy', m.matchIndex ?? '', m.lastContactMs === undefined ? '' : `${m.lastContactMs}ms`];
  return head.join('\n') + table(['NAME', 'ID', 'ROLE', 'STATUS', 'HEALTH', 'MATCH', 'LAST CONTACT'], [...s.voters, ...s.learners].map(row));
}

export function clusterCommand(ctx: CliContext): Command {
  const cluster = new Command('cluster').description('cluster status and join tokens');

  cluster
    .command('status')
    .description('leader, term, commit index, voters and learners')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const s = await clientOf(cmd, ctx).clusterStatus();
      ctx.output.out(opts.json ? json(s) : statusText(s));
    });

  cluster
    .command('update')
    .description('change cluster settings (admin); the change is an event in `shoal events`')
    .option('--allow-dangerous [bool]', 'allow specs with host access (privileged, host namespaces, capabilities, devices, host control paths); --allow-dangerous=false forbids them again', parseBool)
    .option('--json', 'print JSON')
    .action(async (opts: { allowDangerous?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.allowDangerous === undefined) throw new ShoalError(ErrorCode.BadConfig, 'nothing to change: give --allow-dangerous or --allow-dangerous=false');
      const s = await clientOf(cmd, ctx).updateClusterSettings({ allowDangerous: opts.allowDangerous });
      ctx.output.out(opts.json ? json(s) : `allowDangerous: ${s.allowDangerous}`);
    });

  cluster
    .command('ca')
    .description('print the cluster CA certificate (PEM) to pin with `shoal context add --ca`')
    .action(async (_opts: unknown, cmd: Command) => {
      ctx.output.out((await clientOf(cmd, ctx).clusterCa()).replace(/\n$/, ''));
    });

  cluster
    .command('rotate-psk')
    .description('replace the cluster key (PSK) with no downtime: members accept old and new while they switch, then only the new; run against the leader')
    .option('--force', 'finish even if some members do not answer (they must rejoin with a fresh data dir)')
    .option('--json', 'print JSON')
    .action(async (opts: { force?: boolean; json?: boolean }, cmd: Command) => {
      const r = await clientOf(cmd, ctx).rotatePsk({ force: opts.force });
      if (opts.json) return ctx.output.out(json(r));
      const left = r.unreached.length ? `; NOT reached (must rejoin with a fresh data dir): ${r.unreached.map((u) => u.name).join(', ')}` : '';
      ctx.output.out(`cluster key rotated on ${r.members - r.unreached.length} of ${r.members} nodes (key id ${r.keyId})${left}.\nJoin tokens carry the new key: get one with \`shoal cluster token show\`; old tokens no longer connect.\n`);
    });

  const token = cluster.command('token').description('the token new nodes join with');
  token
    .command('show')
    .description('print the current join token')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const t = await clientOf(cmd, ctx).showToken();
      ctx.output.out(opts.json ? json(t) : t.token);
    });
  token
    .command('rotate')
    .description('replace the join token; the old one stops working')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const t = await clientOf(cmd, ctx).rotateToken();
      ctx.output.out(opts.json ? json(t) : t.token);
    });
  cluster
    .command('rotate-key')
    .description('new secret store key; every secret re-sealed in one commit, no downtime (run against the leader)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const r = await clientOf(cmd, ctx).rotateStoreKey();
      ctx.output.out(opts.json ? json(r) : `store key rotated to ${r.keyId}; ${r.resealed} secret(s) re-sealed`);
    });
  return cluster;
}
