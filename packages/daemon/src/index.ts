export { ShoalNode } from './node.js';
export { ClusterRuntime } from './runtime.js';
export { resolveConfig, parseHostPort, parseLabels, type DaemonConfig, type ConfigInput } from './config.js';
export { DataDir } from './data-dir.js';
export { planVoterChange, type AutopilotInput, type MemberHealth } from './autopilot.js';
export { runAgent } from './run-agent.js';
export { clusterStateMachine, type StateMachineHooks } from './state-machine.js';
export { LeaderDuties, type LeaderDutiesComponents } from './leader-duties.js';
