/** What one reconcile step decided, for logs, events and tests. */
export interface PlannedTask {
  taskId: string;
  service: string;
  slot: number;
  nodeId?: string;
  reason: string;
}

export interface ReconcilePlan {
  created: PlannedTask[];
  /** Tasks asked to stop (desired shutdown or remove), with why. */
  stopped: { taskId: string; service: string; reason: string }[];
  removed: string[];
  assigned: { taskId: string; nodeId: string }[];
  pending: { taskId: string; reason: string }[];
  /** Rolling-update decisions: progress, completion, pause, rollback. */
  updates: { service: string; message: string }[];
  /**
   * The earliest time a decision waits for (restart delay, update delay or
   * monitor period); null when nothing waits. The caller reconciles again at
   * that time or on the next state change, whichever comes first.
   */
  nextWakeAt: number | null;
}

export function emptyPlan(): ReconcilePlan {
  return { created: [], stopped: [], removed: [], assigned: [], pending: [], updates: [], nextWakeAt: null };
}
