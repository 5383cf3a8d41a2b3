/**
 * The replicated state's security tables: API tokens (hashes only, never
 * the tokens) and the audit trail of operator writes. Kept apart from the
 * other tables so their snapshot encoding stays in one place.
 */
import { isApiRole, type ApiTokenInfo, type AuditRecord } from '@shoal/types';

/** A token as the state keeps it: what the API lists, plus the sha256 (hex) of the token. */
export interface ApiTokenRecord extends ApiTokenInfo {
  hash: string;
}

/** One operator write as committed (the API shows the same record). */
export type AuditEntry = AuditRecord;

/** Audit entries kept in the state (and so in every snapshot); older ones are dropped first. */
export const AUDIT_KEEP = 1000;

export interface SecuritySnapshot {
  apiTokens: ApiTokenRecord[];
  audit: AuditEntry[];
  /** Node id -> sha256 of that node's own API token (absent in older snapshots). */
  nodeTokens?: Record<string, string>;
}

export class SecurityTables {
  readonly apiTokens = new Map<string, ApiTokenRecord>();
  readonly tokenByHash = new Map<string, string>();
  readonly tokenByName = new Map<string, string>();
  audit: AuditEntry[] = [];
  /** Node id -> sha256 of its own API token; the leader takes it as an admin's while the node is a voter. */
  readonly nodeTokens = new Map<string, string>();
  readonly nodeByTokenHash = new Map<string, string>();

  putNodeToken(nodeId: string, hash: string): void {
    this.deleteNodeToken(nodeId);
    this.nodeTokens.set(nodeId, hash);
    this.nodeByTokenHash.set(hash, nodeId);
  }

  deleteNodeToken(nodeId: string): void {
    const old = this.nodeTokens.get(nodeId);
    if (old === undefined) return;
    this.nodeTokens.delete(nodeId);
    this.nodeByTokenHash.delete(old);
  }

  putToken(t: ApiTokenRecord): void {
    this.apiTokens.set(t.id, t);
    this.tokenByHash.set(t.hash, t.id);
    this.tokenByName.set(t.name, t.id);
  }

  deleteToken(id: string): void {
    const t = this.apiTokens.get(id);
    if (!t) return;
    this.apiTokens.delete(id);
    this.tokenByHash.delete(t.hash);
    this.tokenByName.delete(t.name);
  }

  record(entry: AuditEntry): void {
    this.audit.push(entry);
    if (this.audit.length > AUDIT_KEEP) this.audit.splice(0, this.audit.length - AUDIT_KEEP);
  }

  encode(): SecuritySnapshot {
    return { apiTokens: [...this.apiTokens.values()], audit: this.audit, nodeTokens: Object.fromEntries(this.nodeTokens) };
  }

  /** Restores from a snapshot; absent (older snapshots) means empty. Malformed rows are refused by the caller's corrupt(). */
  static decode(data: unknown, corrupt: (why: string) => Error): SecurityTables {
    const t = new SecurityTables();
    if (data === undefined || data === null) return t;
    const d = data as Partial<SecuritySnapshot>;
    for (const tok of Array.isArray(d.apiTokens) ? d.apiTokens : []) {
      if (typeof tok?.id !== 'string' || typeof tok.name !== 'string' || typeof tok.hash !== 'string' || !isApiRole(tok.role)) throw corrupt('an API token is malformed');
      t.putToken(tok);
    }
    for (const [nodeId, hash] of Object.entries(d.nodeTokens ?? {})) {
      if (typeof hash !== 'string') throw corrupt('a node token hash is malformed');
      t.putNodeToken(nodeId, hash);
    }
    t.audit = Array.isArray(d.audit) ? d.audit.filter((e) => typeof e?.index === 'number' && typeof e.by === 'string').slice(-AUDIT_KEEP) : [];
    return t;
  }
}
