/**
 * The input checks an operator's write must pass before it is proposed,
 * shared by the API (on the node that received the request) and the leader
 * (again, on whatever a peer forwards): a forwarding node could have
 * skipped them, so the leader does not take its word. Structural checks
 * (types, sizes, spec schema) are decodeCommand's; these need the cluster's
 * state: the dangerous-spec setting and what only `shoal init` may set.
 */
import { ErrorCode, ShoalError, checkDangerous, validateServiceSpec, type ClusterConfig, type ServiceSpec } from '@shoal/types';
import type { Command } from './commands.js';

/** Cluster settings an operator may change after init (`shoal cluster update`); the id and address ranges are fixed at init. */
export const OPERATOR_CONFIG_KEYS = ['allowDangerous', 'voters', 'voterGraceMs', 'taskHistory', 'maxReplicasPerService', 'maxTasksPerCluster'] as const;

/** A service spec as the API takes it: valid, and no host access unless the cluster allows it. Throws ShoalError. */
export function checkServiceInput(spec: ServiceSpec, config: Pick<ClusterConfig, 'allowDangerous'>): void {
  validateServiceSpec(spec);
  checkDangerous(spec, config);
}

/** Throws ShoalError (INVALID_SPEC, DANGEROUS_SPEC, BAD_CONFIG) when an operator's command fails the API's checks. */
export function checkCommandInput(cmd: Command, config: ClusterConfig): void {
  switch (cmd.type) {
    case 'service.create':
    case 'service.update':
      checkServiceInput(cmd.spec, config);
      return;
    case 'cluster.config': {
      const fixed = Object.keys(cmd.config).filter((k) => !(OPERATOR_CONFIG_KEYS as readonly string[]).includes(k));
      if (fixed.length > 0) throw new ShoalError(ErrorCode.BadConfig, `${fixed.join(', ')} can only be set when the cluster is created (\`shoal init\`)`);
      return;
    }
    default:
      return;
  }
}
