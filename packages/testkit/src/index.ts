export { seededRandom } from './random.js';
export { waitFor, type WaitOptions, type Truthy } from './wait-for.js';
export { freePort } from './free-port.js';
export { drainReady, drainMessages, type ReadyLoop } from './ready-loop.js';
export { nodeRegistration, nodeInfo, taskFixture, MiB, GiB, type NodeRegistrationFixture } from './fixtures.js';
export {
  LocalCluster,
  SHOAL_BIN,
  AGENT_NODE_OPTIONS,
  taskProcesses,
  killTaskProcesses,
  removeNodeContainers,
  type LocalNode,
  type LocalClusterOptions,
  type LocalClusterClient,
  type NodeConnection,
} from './local-cluster.js';
