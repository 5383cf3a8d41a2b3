/**
 * An API request's write: proposed as the request's caller, so the leader
 * checks their credential and role (write-gate.ts) and the audit trail
 * names them. Every route that changes the cluster goes through here.
 */
import { currentCaller } from '@shoal/api';
import type { Command } from '@shoal/state';
import type { ClusterRuntime } from './runtime.js';

export async function operatorWrite(rt: ClusterRuntime, cmd: Command): ReturnType<ClusterRuntime['propose']> {
  const caller = currentCaller();
  return rt.propose(caller ? { ...cmd, by: caller.name } : cmd, caller ? { caller } : {});
}
