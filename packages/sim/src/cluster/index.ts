export { runControlPlaneSim, type ControlPlaneSimOptions, type ControlPlaneSimResult } from './control-plane-sim.js';
export { checkConverged, checkNoOverReplication } from './invariants.js';
export { SimAgents } from './sim-agents.js';
export { initialServices, faultSchedule, DEFAULT_FAULTS, type Fault, type FaultCounts } from './workload.js';
export { runRebalanceWave, type RebalanceWaveOptions, type RebalanceWaveResult, type Spread } from './rebalance-wave.js';
