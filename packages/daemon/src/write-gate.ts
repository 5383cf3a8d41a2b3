/**
 * The leader's gate for writes. A follower forwards what its API accepted
 * together with the bearer token it received; the leader does not take the
 * follower's word for either: it resolves the token against the replicated
 * state (credentials.ts), checks the command's authority (authorize.ts) and
 * re-runs the API's input checks (command-input.ts) before anything reaches
 * the log. A member holding only the join token can therefore report its
 * own tasks and itself, and nothing else. Refusals are counted and logged
 * with the sender.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, ShoalError, type ApiRole } from '@shoal/types';
import {
  COMMAND_AUTHORITY,
  authorizeCommand,
  checkCommandInput,
  decodeCommand,
  resolveCredential,
  type Authority,
  type ClusterState,
  type Command,
  type RefusalReason,
} from '@shoal/state';

/** An operator as the local API resolved them: the name for the audit trail, the role, and the token to forward. */
export interface OperatorCredential {
  name: string;
  role: ApiRole;
  token: string;
}

/** What a follower sends the leader: the command and, for an operator's write, the credential it came with. */
export interface ForwardedWrite {
  command: Command;
  credential?: string;
}

/** Largest bearer token forwarded (API tokens are 43 characters; anything far longer is not one). */
const MAX_CREDENTIAL = 512;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface WriteGateDeps {
  state: ClusterState;
  /** Current Raft voters (a node's own token is an admin's only while it is one). */
  voters(): readonly string[];
  log: Logger;
  /** Counts a refusal (the prom-client counter), `n` times for dropped batch entries. */
  onRefused?: (reason: RefusalReason, n: number) => void;
}

export class WriteGate {
  constructor(private readonly deps: WriteGateDeps) {}

  /** A peer's forwarded write: the command to propose (bound, stamped), or a ShoalError. */
  admitForwarded(from: string, body: unknown): Command {
    const { command, credential } = this.parse(body);
    let authority: Authority = { kind: 'node', nodeId: from };
    if (COMMAND_AUTHORITY[command.type] !== 'self' && credential !== undefined) {
      const r = resolveCredential(this.deps.state, hashToken(credential), this.deps.voters());
      if (!r.ok) throw this.refused(from, command, 'bad_credential', new ShoalError(r.code, r.message));
      authority = r.authority;
    }
    return this.admit(from, command, authority);
  }

  /** A write of this (leading) node's own API: the caller was resolved by the API; the same rules apply. */
  admitLocal(self: string, command: Command, caller: OperatorCredential): Command {
    return this.admit(self, command, { kind: 'operator', name: caller.name, role: caller.role });
  }

  private admit(from: string, command: Command, authority: Authority): Command {
    const v = authorizeCommand(command, authority, this.deps.state);
    if (!v.ok) throw this.refused(from, command, v.reason, new ShoalError(v.code, v.message));
    if (v.dropped.length > 0) {
      this.deps.onRefused?.('not_own', v.dropped.length);
      this.deps.log.warn({ from, type: command.type, dropped: v.dropped.slice(0, 10) }, 'dropped status reports a node sent for tasks that are not its own');
    }
    if (authority.kind === 'operator') {
      try {
        checkCommandInput(v.cmd, this.deps.state.config());
      } catch (err) {
        throw this.refused(from, command, 'invalid_input', err instanceof ShoalError ? err : new ShoalError(ErrorCode.InvalidSpec, String(err)));
      }
    }
    return v.cmd;
  }

  private parse(body: unknown): ForwardedWrite {
    const b = body as { command?: unknown; credential?: unknown } | null;
    // A bare command is what nodes of the previous version forward: it carries no credential.
    const raw = b && typeof b === 'object' && 'command' in b ? b.command : body;
    const credential = b && typeof b === 'object' && 'command' in b ? b.credential : undefined;
    if (credential !== undefined && (typeof credential !== 'string' || credential.length === 0 || credential.length > MAX_CREDENTIAL)) {
      throw new ShoalError(ErrorCode.BadMessage, 'malformed credential in a forwarded write');
    }
    const command = decodeCommand(new TextEncoder().encode(JSON.stringify(raw ?? null)));
    return { command, ...(credential !== undefined ? { credential } : {}) };
  }

  private refused(from: string, command: Command, reason: RefusalReason, err: ShoalError): ShoalError {
    this.deps.onRefused?.(reason, 1);
    this.deps.log.warn({ from, type: command.type, reason, code: err.code, message: err.message }, 'refused a write');
    return err;
  }
}
