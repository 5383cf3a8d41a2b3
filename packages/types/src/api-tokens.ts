/**
 * The shapes of cluster API tokens and of the audit trail, as the API shows
 * them. The replicated state stores the same records (a token with its hash
 * added), so both sides use these and cannot drift apart.
 */
import type { ApiRole } from './roles.js';

/** A cluster API token as listed: never the token itself, nor its hash. */
export interface ApiTokenInfo {
  id: string;
  /** Unique, shown in the audit trail. */
  name: string;
  role: ApiRole;
  createdAt: number;
  /** Token name of who created it. */
  createdBy?: string;
}

/** One operator write as committed: who (token name), what, when, result. */
export interface AuditRecord {
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
