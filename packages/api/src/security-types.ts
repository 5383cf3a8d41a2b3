/** What the token, audit and cluster-settings routes exchange (the daemon serves them; ShoalClient calls them). */
import type { ApiRole } from '@shoal/types';

/** A cluster API token as listed: never the token itself, nor its hash. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  role: ApiRole;
  createdAt: number;
  /** Token name of who created it. */
  createdBy?: string;
}

/** A token just created: the only time the secret is shown. */
export interface NewApiToken extends ApiTokenInfo {
  token: string;
}

/** One operator write as committed: who (token name), what, when, result. */
export interface AuditRecord {
  index: number;
  at: number;
  by: string;
  type: string;
  subject: string;
  ok: boolean;
  error?: string;
}

/** The settings an admin may change after init (`shoal cluster update`). */
export interface ClusterSettings {
  allowDangerous: boolean;
  voters: number;
  maxReplicasPerService: number;
  maxTasksPerCluster: number;
}
