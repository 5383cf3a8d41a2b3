/**
 * The replicated state's security tables: API tokens (hashes only, never
 * the tokens) and the audit trail of operator writes. Kept apart from the
 * other tables so their snapshot encoding stays in one place.
 */
import { isApiRole, type ApiRole } from '@shoal/types';

export interface ApiTokenRecord {
  id: string;
  /** Unique, shown in the audit trail. */
  name: string;
  role: ApiRole;
  /** sha256 (hex) of the token. */
  hash: string;
  createdAt: number;
  /** Token name of who created it. */
  createdBy?: string;
}

/** One operator write as committed: who, what, when, result. */
export interface AuditEntry {
  index: number;
  at: number;
  /** Token name of the caller. */
  by: string;
  type: string;
  /** What it was about: a service, node or token name, when the command names one. */
  subject: string;
  ok: boolean;
  error?: string;
}

/** Audit entries kept in the state (and so in every snapshot); older ones are dropped first. */
export const AUDIT_KEEP = 1000;

export interface SecuritySnapshot {
  apiTokens: ApiTokenRecord[];
  audit: AuditEntry[];
}

export class SecurityTables {
  readonly apiTokens = new Map<string, ApiTokenRecord>();
  readonly tokenByHash = new Map<string, string>();
  readonly tokenByName = new Map<string, string>();
  audit: AuditEntry[] = [];

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
    return { apiTokens: [...this.apiTokens.values()], audit: this.audit };
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
    t.audit = Array.isArray(d.audit) ? d.audit.filter((e) => typeof e?.index === 'number' && typeof e.by === 'string').slice(-AUDIT_KEEP) : [];
    return t;
  }
}
