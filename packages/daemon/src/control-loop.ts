/**
 * The leader's control loop: whenever the state changes (and at least every
 * `intervalMs`), ask the orchestrator what should change and propose it.
 * Proposals are awaited before the next pass, so a pass never re-proposes
 * what is still in flight. Decisions are a function of state + now only, so
 * a new leader acts at once (no grace timers, cf. nomad#1747).
 */
import type { Logger } from 'pino';

export interface ControlLoopDeps {
  /** One reconcile pass: the commands to propose, and when to look again if nothing changes (ms epoch). */
  plan: () => { commands: unknown[]; nextWakeAt: number | null };
  propose: (cmd: unknown) => Promise<unknown>;
  logger: Logger;
  intervalMs?: number;
  /** Observed duration of one pass + its proposals, for metrics. */
  onPass?: (ms: number, commands: number) => void;
}

export class ControlLoop {
  private running = false;
  private wakeUp: (() => void) | null = null;
  private dirty = true;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ControlLoopDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dirty = true;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.done;
  }

  /** Called on every state change. */
  wake(): void {
    this.dirty = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private async run(): Promise<void> {
    const idleMs = this.deps.intervalMs ?? 5000;
    let wakeAt: number | null = null;
    while (this.running) {
      if (!this.dirty) {
        // Idle: sleep until a state change, a time-based decision (restart delay, update monitor) or the safety interval.
        const waitMs = Math.max(0, Math.min(idleMs, wakeAt === null ? idleMs : wakeAt - Date.now()));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          this.wakeUp = () => {
            clearTimeout(t);
            resolve();
          };
        });
        if (!this.running) break;
      }
      this.dirty = false;
      const started = performance.now();
      let commands: unknown[] = [];
      try {
        const plan = this.deps.plan();
        commands = plan.commands;
        wakeAt = plan.nextWakeAt;
        // Commands of one pass are independent batches; propose them together so one fsync covers them.
        const results = await Promise.allSettled(commands.map((c) => this.deps.propose(c)));
        let failed = 0;
        for (const r of results) {
          if (r.status === 'rejected') {
            failed++;
            this.deps.logger.warn({ err: String(r.reason) }, 'control loop proposal failed');
          } else if ((r.value as { ok?: boolean } | undefined)?.ok === false) {
            failed++;
            this.deps.logger.warn({ result: r.value }, 'control loop command refused by the state machine');
          }
        }
        // A refused command would be planned again at once: back off instead of spinning.
        if (failed > 0) await sleep(failed === results.length ? 500 : 100);
      } catch (err) {
        this.deps.logger.error({ err }, 'control loop pass failed');
        await sleep(200);
      }
      this.deps.onPass?.(performance.now() - started, commands.length);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
