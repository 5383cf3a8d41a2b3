/** What the token, audit and cluster-settings routes exchange (the daemon serves them; ShoalClient calls them). */
import type { ApiTokenInfo } from '@shoal/types';

/** Tokens and audit records have one shape in the API and in the state: see @shoal/types. */
export type { ApiTokenInfo, AuditRecord } from '@shoal/types';

/** A token just created: the only time the secret is shown. */
export interface NewApiToken extends ApiTokenInfo {
  token: string;
}

/** The settings an admin may change after init (`shoal cluster update`). */
export interface ClusterSettings {
  allowDangerous: boolean;
  voters: number;
  maxReplicasPerService: number;
  maxTasksPerCluster: number;
}
