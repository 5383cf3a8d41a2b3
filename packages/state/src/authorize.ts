/**
 * Who may propose what. The leader runs this on every command a peer
 * forwards (and on its own API's writes) before anything reaches the log:
 * a member speaks only for itself (its tasks' status, its registration, its
 * token hash); everything else needs an operator credential that the
 * leader resolved against the replicated state, with the role the command
 * needs. Commands only the leader's own control loop makes are never taken
 * from a peer. Swarm's dispatcher and Nomad's node secret draw the same line.
 */
import { ErrorCode, roleAllows, type ApiRole } from '@shoal/types';
import type { Command, CommandType } from './commands.js';

/** `self`: a node on its own authority; `leader`: the leader's own work only; a role: an operator credential of that role. */
export type CommandAuthority = 'self' | 'leader' | ApiRole;

/**
 * Every command type and the authority it needs. The roles mirror the API's
 * routes (api/src/auth.ts requiredRole): service writes are an operator's,
 * the rest an admin's.
 */
export const COMMAND_AUTHORITY: Readonly<Record<CommandType, CommandAuthority>> = {
  'task.status': 'self',
  'node.update': 'self',
  'nodetoken.set': 'self',
  'service.create': 'operator',
  'service.update': 'operator',
  'service.scale': 'operator',
  'service.rollback': 'operator',
  'service.remove': 'operator',
  'service.promote': 'operator',
  'service.rebalance': 'operator',
  'task.desired': 'admin',
  'task.restart': 'admin',
  'node.availability': 'admin',
  'node.labels': 'admin',
  'node.remove': 'admin',
  'cluster.config': 'admin',
  'token.set': 'admin',
  'allowlist.add': 'admin',
  'allowlist.remove': 'admin',
  'apitoken.create': 'admin',
  'apitoken.revoke': 'admin',
  'network.create': 'admin',
  'network.remove': 'admin',
  'secret.create': 'admin',
  'secret.remove': 'admin',
  'node.register': 'leader',
  'node.down': 'leader',
  'node.up': 'leader',
  'node.role': 'leader',
  'node.pressure': 'leader',
  'service.updateStatus': 'leader',
  'service.jobRun': 'leader',
  'task.create': 'leader',
  'task.assign': 'leader',
  'task.remove': 'leader',
  'network.subnets': 'leader',
  'node.overlay': 'leader',
  'service.vip': 'leader',
  // The store key, its shares and per-node copies are sealed by the leader alone (it holds the key).
  'secret.grant': 'leader',
  'secretstore.key': 'leader',
  'secretstore.share': 'leader',
};

/** On whose authority a command arrives: the sending node's own, or a verified operator credential. */
export type Authority = { kind: 'node'; nodeId: string } | { kind: 'operator'; name: string; role: ApiRole };

/** Why a command was refused; the label of the refusal counter. */
export type RefusalReason = 'leader_only' | 'needs_credential' | 'bad_credential' | 'role' | 'not_own' | 'invalid_input';

export type Verdict =
  | { ok: true; cmd: Command; dropped: { id: string; reason: string }[] }
  | { ok: false; reason: RefusalReason; code: ErrorCode; message: string };

/** What the check reads from the cluster state. */
export interface AuthorizeView {
  task(id: string): { nodeId?: string } | undefined;
}

function refuse(reason: RefusalReason, code: ErrorCode, message: string): Verdict {
  return { ok: false, reason, code, message };
}

/** A node's own commands: bound to the sender, and only about itself. */
function authorizeSelf(cmd: Command, nodeId: string, view: AuthorizeView): Verdict {
  const { by: _by, ...rest } = cmd;
  const bare = rest as Command;
  switch (bare.type) {
    case 'task.status': {
      const dropped: { id: string; reason: string }[] = [];
      const updates = [];
      for (const u of bare.updates) {
        const t = view.task(u.taskId);
        // An unknown task passes (apply skips it, as for a task removed meanwhile); another node's is dropped here.
        if (t && t.nodeId !== nodeId) dropped.push({ id: u.taskId, reason: t.nodeId ? `task is on node ${t.nodeId}` : 'task is not assigned to this node' });
        else updates.push({ ...u, nodeId });
      }
      if (updates.length === 0 && dropped.length > 0) return refuse('not_own', ErrorCode.Forbidden, `a node may only report the status of its own tasks (${dropped.length} refused)`);
      return { ok: true, cmd: { ...bare, updates }, dropped };
    }
    case 'node.update':
      if (bare.nodeId !== nodeId) return refuse('not_own', ErrorCode.Forbidden, 'a node may only update its own registration');
      if (bare.labels !== undefined) return refuse('needs_credential', ErrorCode.Forbidden, 'node labels are set by an operator (`shoal node update --label-add`)');
      return { ok: true, cmd: bare, dropped: [] };
    case 'nodetoken.set':
      if (bare.nodeId !== nodeId) return refuse('not_own', ErrorCode.Forbidden, 'a node may only register its own API token');
      return { ok: true, cmd: bare, dropped: [] };
    default:
      return refuse('needs_credential', ErrorCode.Forbidden, `${bare.type} is not a node's own command`);
  }
}

/**
 * Decides whether `cmd`, arriving on `authority`, may be proposed. On
 * success the command to propose: bound to its sender (node authority) or
 * stamped with the verified token name for the audit trail (operator), never
 * what the sender claimed in `by`.
 */
export function authorizeCommand(cmd: Command, authority: Authority, view: AuthorizeView): Verdict {
  const needed = COMMAND_AUTHORITY[cmd.type];
  if (needed === undefined || needed === 'leader') return refuse('leader_only', ErrorCode.Forbidden, `${cmd.type} is made by the leader itself and is never taken from a peer`);
  if (needed === 'self') {
    if (authority.kind !== 'node') return refuse('leader_only', ErrorCode.Forbidden, `${cmd.type} is a node's report about itself, not an operator's command`);
    return authorizeSelf(cmd, authority.nodeId, view);
  }
  if (authority.kind !== 'operator') {
    return refuse('needs_credential', ErrorCode.Unauthorized, `${cmd.type} needs an operator's API token (role ${needed}); a node cannot make it on its own authority`);
  }
  if (!roleAllows(authority.role, needed)) {
    return refuse('role', ErrorCode.Forbidden, `token "${authority.name}" has role ${authority.role}; ${cmd.type} needs ${needed}`);
  }
  return { ok: true, cmd: { ...cmd, by: authority.name }, dropped: [] };
}
