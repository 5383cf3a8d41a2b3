/**
 * `shoal stack deploy`, all or nothing: every service of the file is checked
 * by the cluster first (a create dry run for new ones, an update plan for
 * changed ones), and nothing is created unless all pass. Services are then
 * created in dependency order, waiting for `depends_on` conditions; if a
 * step fails, what this deploy created is removed and what it updated is
 * rolled back, and the error says so.
 */
import { ErrorCode, ShoalError, isShoalError, type Service } from '@shoal/types';
import type { ShoalClient } from '@shoal/api';
import type { ComposeImport } from '../compose/index.js';
import { planStack, type StackPlan } from './plan.js';
import { waitForDependency } from './wait.js';

export interface DeployOptions {
  prune: boolean;
  /** Longest wait for one depends_on condition. */
  dependencyTimeoutMs: number;
  pollMs?: number;
  say: (line: string) => void;
}

export interface DeployResult {
  plan: StackPlan;
}

function named(name: string, err: unknown): string {
  const message = isShoalError(err) ? err.message : (err as Error).message;
  return `${name}: ${message.replace(/\n/g, '\n  ')}`;
}

/** Asks the cluster about every new and changed service; throws one error listing every refusal. */
async function validateAll(client: ShoalClient, plan: StackPlan): Promise<void> {
  const problems: string[] = [];
  for (const spec of plan.create) await client.validateService(spec).catch((err: unknown) => problems.push(named(spec.name, err)));
  for (const spec of plan.update) await client.planServiceUpdate(spec.name, spec).catch((err: unknown) => problems.push(named(spec.name, err)));
  if (problems.length > 0) {
    throw new ShoalError(ErrorCode.InvalidSpec, `nothing was deployed: ${problems.length} service${problems.length === 1 ? '' : 's'} refused:\n  ${problems.join('\n  ')}`, { problems });
  }
}

async function undo(client: ShoalClient, created: string[], updated: string[], say: (l: string) => void): Promise<string> {
  const done: string[] = [];
  const failed: string[] = [];
  for (const name of [...created].reverse()) {
    await client.removeService(name).then(
      () => done.push(`removed ${name}`),
      (err: unknown) => failed.push(named(name, err)),
    );
  }
  for (const name of [...updated].reverse()) {
    await client.rollbackService(name).then(
      () => done.push(`rolled back ${name}`),
      (err: unknown) => failed.push(named(name, err)),
    );
  }
  for (const d of done) say(d);
  return [done.length ? `undone: ${done.join(', ')}` : 'nothing to undo', ...(failed.length ? [`could not undo: ${failed.join('; ')}`] : [])].join('; ');
}

export async function deployStack(client: ShoalClient, stack: string, compose: ComposeImport, opts: DeployOptions): Promise<DeployResult> {
  const existing: Service[] = await client.listServices();
  const plan = planStack(stack, compose.specs, existing, { prune: opts.prune });
  await validateAll(client, plan);
  const creating = new Set(plan.create.map((s) => s.name));
  const updating = new Set(plan.update.map((s) => s.name));
  const created: string[] = [];
  const updated: string[] = [];
  let current = '';
  try {
    for (const spec of compose.specs) {
      current = spec.name;
      if (!creating.has(spec.name) && !updating.has(spec.name)) continue;
      for (const dep of compose.dependencies[spec.name] ?? []) {
        if (dep.condition === 'healthy') opts.say(`${spec.name}: waiting for ${dep.service} to be healthy`);
        await waitForDependency(client, spec.name, dep.service, dep.condition, { timeoutMs: opts.dependencyTimeoutMs, pollMs: opts.pollMs });
      }
      if (creating.has(spec.name)) {
        await client.createService(spec);
        created.push(spec.name);
        opts.say(`created ${spec.name}`);
      } else {
        await client.updateService(spec.name, spec);
        updated.push(spec.name);
        opts.say(`updated ${spec.name}`);
      }
    }
  } catch (err) {
    const undone = await undo(client, created, updated, opts.say);
    const code = isShoalError(err) ? err.code : ErrorCode.Internal;
    throw new ShoalError(code, `stack ${stack} not deployed: ${named(current, err)}; ${undone}`, isShoalError(err) ? err.details : undefined);
  }
  for (const name of plan.unchanged) opts.say(`unchanged ${name}`);
  for (const name of plan.remove) {
    await client.removeService(name);
    opts.say(`removed ${name} (no longer in the file)`);
  }
  return { plan };
}
