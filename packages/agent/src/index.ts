export type { Driver, DriverTaskState, LogLine, LogOptions, TaskHandle, TaskStats } from './driver.js';
export { Agent, type AgentOptions } from './agent.js';
export { ExecDriver, type ExecDriverOptions } from './exec-driver.js';
export { StatusReporter, type ReportFn, type ReporterOptions } from './status-reporter.js';
export { HealthMonitor, type CheckResult } from './health-monitor.js';
export { taskEnv, stopGraceMs, DEFAULT_STOP_GRACE_MS } from './task-env.js';
export { type RotationPolicy, DEFAULT_ROTATION } from './log-files.js';
