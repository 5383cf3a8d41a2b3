/** The audit trail's view of a committed operator command. */
import type { Command, CommandResult } from './commands.js';
import type { AuditEntry } from './security-tables.js';

/** Names of what ids point at, read before the command is applied (a removed service still has its name). */
export interface SubjectNames {
  service(id: string): string | undefined;
  node(id: string): string | undefined;
}

/** The name (or else the id) the command is about, for people reading the trail. */
export function subjectOf(cmd: Command, names: SubjectNames): string {
  const c = cmd as unknown as Record<string, unknown>;
  const spec = c.spec as { name?: unknown } | undefined;
  if (typeof spec?.name === 'string') return spec.name;
  if (typeof c.serviceId === 'string') return names.service(c.serviceId) ?? c.serviceId;
  if (typeof c.nodeId === 'string') return names.node(c.nodeId) ?? c.nodeId;
  for (const v of [c.name, c.tokenId, c.networkId]) if (typeof v === 'string') return v;
  return cmd.type === 'cluster.config' ? 'cluster' : '';
}

export function auditEntry(cmd: Command, index: number, result: CommandResult, subject: string): AuditEntry {
  return {
    index,
    at: cmd.at,
    by: cmd.by ?? '',
    type: cmd.type,
    subject,
    ok: result.ok,
    ...(result.ok ? {} : { error: result.error.message }),
  };
}
