/**
 * `shoal agent`'s body: resolve the config, start one node, stop it cleanly
 * on SIGTERM/SIGINT. The `shoal` binary (packages/bin) parses the flags and
 * calls this; the daemon itself knows nothing of the CLI.
 */
import { hostPortOf } from '@shoal/types';
import { resolveConfig, type ConfigInput } from './config.js';
import { createLogger } from './logger.js';

export type { ConfigInput } from './config.js';

export async function runAgent(input: ConfigInput): Promise<void> {
  const cfg = resolveConfig(input);
  // Everything the node writes (LevelDB files, task state, tokens) is born 0600 / 0700, not only fixed at the next start.
  // Exec tasks get 022 back in their wrapper.
  process.umask(0o077);
  const pretty = process.env.SHOAL_LOG_PRETTY !== undefined ? process.env.SHOAL_LOG_PRETTY === '1' : undefined;
  const log = createLogger({ level: cfg.logLevel, name: cfg.name, pretty });
  // Loaded here, not at the top: libp2p takes a second to import.
  const { ShoalNode } = await import('./node.js');
  const node = new ShoalNode(cfg, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'stopping: handing over leadership, leaving tasks running');
    node
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      });
  };
  // A bug in a background task must not take the node (and, under Docker-in-Docker, its tasks) down with it.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection (bug): logged, node keeps running'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await node.start();
  } catch (err) {
    await node.stop().catch(() => undefined);
    throw err;
  }
  if (cfg.init && node.runtime) {
    // Never the token itself: it carries the cluster key, and logs are shipped, shared and kept.
    const addr = hostPortOf(node.runtime.advertisedAddresses()[0] ?? cfg.p2pListen);
    log.info(
      { join: `shoal agent --join ${addr} --join-token-file join.token` },
      'to add a node: save the join token with `shoal cluster token show > join.token` here, copy the file to the new node and run the join command there',
    );
  }
}
