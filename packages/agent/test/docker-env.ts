/** Docker test prerequisites: a reachable engine (else skip) and the local test image. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

export const TEST_IMAGE = 'shoal-test/busybox:1';

/** A skip reason when no Docker engine answers here; false when the docker tests can run. */
export async function dockerSkipReason(): Promise<string | false> {
  try {
    await new Docker().ping();
  } catch (err) {
    const reason = `Docker engine not reachable (${(err as Error).message}): skipping the docker driver tests; start dockerd to run them`;
    console.log(`# ${reason}`);
    return reason;
  }
  // The repo root is four levels up from dist/test.
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'scripts', 'test-images.sh');
  const res = spawnSync('sh', [script], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`scripts/test-images.sh failed (needs busybox-static): ${res.stderr || res.stdout}`);
  return false;
}
