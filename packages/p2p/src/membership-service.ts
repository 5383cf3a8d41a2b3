/**
 * What the daemon needs from a failure detector, so the gossip-heartbeat
 * `Membership` and the SWIM-based `SwimMembership` can stand in for each other.
 */
import type { EventEmitter } from 'node:events';
import type { Heartbeat, LivenessEvent, LivenessState } from '@shoal/membership';

export interface MembershipEvents {
  change: [LivenessEvent];
  heartbeat: [Heartbeat];
}

export interface LivenessLookup {
  state(nodeId: string): LivenessState | undefined;
  /** Local clock time (performance.now) of the last sign of life, if any. */
  peer(nodeId: string): { lastSeenAt: number | null } | undefined;
  track(nodeId: string): void;
  forget(nodeId: string): void;
}

export interface MembershipService extends EventEmitter<MembershipEvents> {
  readonly liveness: LivenessLookup;
  readonly incarnation: number;
  start(): void;
  stop(): void;
  /** The cluster state says this node is down: come back with a higher incarnation. */
  refute(): number;
  /** This node's heartbeat (identity, incarnation, summary), e.g. sent straight to the leader. */
  nextHeartbeat(): Heartbeat;
  /** A heartbeat that came over a direct RPC from `hb.nodeId` (checked by the caller). */
  observeDirect(hb: Heartbeat): void;
}
