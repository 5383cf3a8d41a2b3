/**
 * A private image registry on loopback for tests: Debian's `docker-registry`
 * (distribution 2.x) with basic auth from an htpasswd file (bcrypt, made by
 * `htpasswd` from apache2-utils). Docker engines treat 127.0.0.0/8 as an
 * insecure registry, so no TLS is needed. `.ci/run` installs both packages.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@shoal/testkit';

/** Why the registry tests cannot run here, or false. */
export function registrySkipReason(): string | false {
  for (const [bin, pkg] of [['docker-registry', 'docker-registry'], ['htpasswd', 'apache2-utils'], ['docker', 'docker.io']]) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (apt-get install ${pkg}; .ci/run does)`;
  }
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return 'no Docker engine answers';
  return false;
}

export class LocalRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'shoal-registry-'));
  host = '';
  private proc: ChildProcess | null = null;

  constructor(
    readonly username: string,
    readonly password: string,
  ) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.host = `127.0.0.1:${port}`;
    const htpasswd = execFileSync('htpasswd', ['-Bbn', this.username, this.password], { encoding: 'utf8' });
    writeFileSync(join(this.dir, 'htpasswd'), htpasswd, { mode: 0o600 });
    writeFileSync(
      join(this.dir, 'config.yml'),
      [
        'version: 0.1',
        'log: { level: warn }',
        `storage: { filesystem: { rootdirectory: ${join(this.dir, 'data')} } }`,
        `http: { addr: ${this.host}, secret: ${randomBytes(16).toString('hex')} }`,
        `auth: { htpasswd: { realm: shoal-test, path: ${join(this.dir, 'htpasswd')} } }`,
        '',
      ].join('\n'),
    );
    this.proc = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: 'ignore' });
    await waitFor('the registry answering', async () => (await fetch(`http://${this.host}/v2/`)).status === 401, { timeoutMs: 20_000, everyMs: 100 });
  }

  /** Pushes a local image under `repo:tag` with a throw-away Docker client config, then drops the local tag: a pull must ask the registry. */
  push(localImage: string, repo: string): string {
    const ref = `${this.host}/${repo}`;
    const env = { ...process.env, DOCKER_CONFIG: join(this.dir, 'docker-client') };
    execFileSync('docker', ['tag', localImage, ref]);
    try {
      execFileSync('docker', ['login', '-u', this.username, '--password-stdin', this.host], { input: this.password, env, stdio: ['pipe', 'ignore', 'pipe'] });
      execFileSync('docker', ['push', ref], { env, stdio: 'ignore' });
      execFileSync('docker', ['logout', this.host], { env, stdio: 'ignore' });
    } finally {
      execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
    }
    return ref;
  }

  stop(): void {
    this.proc?.kill('SIGKILL');
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
