/**
 * Before a stack's services: create the secrets and configs its Compose file
 * defines with `file:`. Values are immutable, so one that exists is kept
 * (a config whose file changed is reported: rename it to roll it out).
 */
import { readFileSync } from 'node:fs';
import type { ShoalClient } from '@shoal/api';
import { ErrorCode, ShoalError, SECRET_MAX_BYTES, isShoalError, type ServiceSpec } from '@shoal/types';
import type { StackFile } from '../compose/index.js';
import { registryOf, registrySecretName } from '../file-flags.js';
import type { CliContext } from './context.js';

export async function createStackFiles(client: ShoalClient, stack: string, files: StackFile[], ctx: CliContext): Promise<void> {
  for (const f of files) {
    let value: Buffer;
    try {
      value = ctx.readInput ? ctx.readInput(f.file) : readFileSync(f.file);
    } catch (err) {
      throw new ShoalError(ErrorCode.BadConfig, `${f.kind} ${f.name}: cannot read ${f.file}: ${(err as Error).message}`);
    }
    if (value.length > SECRET_MAX_BYTES) throw new ShoalError(ErrorCode.InvalidSpec, `${f.kind} ${f.name}: ${f.file} is ${value.length} bytes; the limit is 500 KB`);
    try {
      const existing = await client.getSecret(f.kind, f.name);
      if (f.kind === 'config' && existing.data !== undefined && existing.data !== value.toString('base64')) {
        ctx.output.err(`Warning: config ${f.name} exists with another value; configs are immutable: rename it in the Compose file to roll out the change`);
      }
      continue;
    } catch (err) {
      if (!isShoalError(err) || err.code !== ErrorCode.NotFound) throw err;
    }
    await client.createSecret(f.kind, { name: f.name, data: value.toString('base64'), labels: { 'shoal.stack': stack } });
    value.fill(0);
    ctx.output.out(`created ${f.kind} ${f.name}`);
  }
}

/** `stack deploy --with-registry-auth`: services whose registry has stored credentials use them. */
export async function withRegistryAuth(client: ShoalClient, specs: ServiceSpec[]): Promise<void> {
  const stored = new Set((await client.listSecrets('secret')).map((s) => s.name));
  for (const spec of specs) {
    if (!spec.image) continue;
    const name = registrySecretName(registryOf(spec.image));
    if (stored.has(name)) spec.registryAuth = name;
  }
}
