export type { Driver, DriverTaskState, LogLine, LogOptions, TaskHandle, TaskStats } from './driver.js';
export { Agent, type AgentOptions } from './agent.js';
export { ExecDriver, type ExecDriverOptions } from './exec-driver.js';
export { StatusReporter, type ReportFn, type ReporterOptions } from './status-reporter.js';
export { HealthMonitor, type CheckResult } from './health-monitor.js';
export { taskEnv, stopGraceMs, DEFAULT_STOP_GRACE_MS } from './task-env.js';
export { type RotationPolicy, DEFAULT_ROTATION } from './log-files.js';
export { DockerDriver, type DockerDriverOptions, type RegistryAuth } from './docker-driver.js';
export { containerSpec, containerName, LABEL_NODE, LABEL_SERVICE, LABEL_SLOT, LABEL_TASK } from './docker-container-spec.js';
