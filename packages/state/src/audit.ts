/** The audit trail's view of a committed operator command. */
import type { Command, CommandResult } from './commands.js';
import type { AuditEntry } from './security-tables.js';

/** The name or id the command is about, for people reading the trail. */
function subjectOf(cmd: Command): string {
  const c = cmd as unknown as Record<string, unknown>;
  const spec = c.spec as { name?: unknown } | undefined;
  for (const v of [spec?.name, c.serviceId, c.nodeId, c.name, c.tokenId]) if (typeof v === 'string') return v;
  return '';
}

export function auditEntry(cmd: Command, index: number, result: CommandResult): AuditEntry {
  return {
    index,
    at: cmd.at,
    by: cmd.by ?? '',
    type: cmd.type,
    subject: subjectOf(cmd),
    ok: result.ok,
    ...(result.ok ? {} : { error: result.error.message }),
  };
}
