/**
 * `shoal agent`: one node. It always serves the admin API; once it has a
 * cluster identity (from --init, --join, `shoal init`/`shoal join`, or its
 * data dir on restart) it also runs its ClusterRuntime.
 */
import { ErrorCode, ShoalError } from '@shoal/types';
import { createApiServer, registerConsole, type ApiServer } from '@shoal/api';
import { consoleRoot } from '@shoal/ui';
import { decodeJoinToken, generateClusterSecrets, hashSecret, type P2PStats } from '@shoal/p2p';
import { nodeTokenName, type ClusterState } from '@shoal/state';
import { hashToken } from './write-gate.js';
import { DockerDriver, ExecDriver, dockerClient, type Driver, type DockerDriverOptions, type NetworkAgent } from '@shoal/agent';
import { initRanges, registerNetworkMetrics, startNetworkAgent } from './network-wiring.js';
import type { Logger } from 'pino';
import type { DaemonConfig } from './config.js';
import { apiUsesTls, parseHostPort } from './config.js';
import { DataDir, type ClusterIdentity } from './data-dir.js';
import { ClusterRuntime } from './runtime.js';
import { sleep } from './sleep.js';
import { registerAdmission, requestJoin } from './admission.js';
import { NodeBackend } from './backend.js';
import { registerLogsHandler } from './logs.js';
import { NodeMetrics } from './metrics.js';
import { sealSecret } from './join-secret.js';
import { registerClusterRoutes, type ClusterLifecycle } from './cluster-routes.js';
import { registerNetworkRoutes } from './network-routes.js';
import { registerSecurityRoutes } from './security-routes.js';
import { VERSION } from './version.js';
import { registerMemberStatus, removedMessage, watchForRemoval } from './removed-node.js';
import { ApiTlsFiles, noCertificate, type ApiCredentials } from './tls/api-tls.js';
import { createClusterCa } from './tls/cluster-ca.js';
import { keepCaKey, obtainApiCredentials, registerTlsRpcs } from './tls/tls-rpc.js';
import { registerTlsRoutes } from './tls/tls-routes.js';
import { registerPskRotation, ringOf, type PskHolder } from './psk-rotation.js';
import { registerPskRoutes } from './psk-routes.js';
import { join } from 'node:path';

export class ShoalNode {
  readonly dataDir: DataDir;
  runtime: ClusterRuntime | null = null;
  readonly metrics: NodeMetrics;
  private api: ApiServer | null = null;
  readonly backend: NodeBackend;
  /** Set when this node was removed from its cluster: what to tell the operator. */
  removed: string | null = null;
  private stopRemovalWatch: (() => void) | null = null;
  private stopCaKeeper: (() => void) | null = null;
  /** <data-dir>/tls: the cluster CA certificate (and key on voters), this node's API key and certificate. */
  readonly tlsFiles: ApiTlsFiles;
  /** The cluster keys this node holds, once it runs a cluster (changed by rotate-psk). */
  psk: PskHolder | null = null;

  constructor(
    readonly cfg: DaemonConfig,
    readonly log: Logger,
  ) {
    this.dataDir = new DataDir(cfg.dataDir);
    this.tlsFiles = new ApiTlsFiles(join(cfg.dataDir, 'tls'));
    this.backend = new NodeBackend({
      runtime: () => this.runtime,
      nodeName: cfg.name,
      metrics: () => this.metrics.text(),
      removed: () => this.removed,
    });
    this.metrics = new NodeMetrics({
      raft: () => {
        const st = this.runtime?.raft.status();
        return st ? { term: st.term, commit: st.commit, applied: st.applied, isLeader: st.role === 'leader' } : null;
      },
      taskCounts: () => countBy(this.runtime?.state.tasks({ desiredState: 'running' }) ?? [], (t) => t.status.state),
      nodeCounts: () => countBy(this.runtime?.state.nodes() ?? [], (n) => n.status),
      p2pRejected: () => {
        const rt = this.runtime;
        if (!rt) return {};
        const s = rt.p2p.stats();
        const refused = Object.fromEntries(Object.entries(rt.raft.refusedMessages()).map(([k, v]) => [`raft_refused_${k}`, v]));
        return { raft_malformed: rt.transport.rejected.malformed, raft_spoofed: rt.transport.rejected.spoofed, ...refused, ...flattenRejections(s) };
      },
    });
  }

  async start(): Promise<void> {
    const { changed } = this.dataDir.ensure();
    if (changed > 0) this.log.warn({ dataDir: this.dataDir.root, changed }, 'data dir was readable by others: made it private again (0700 dirs, 0600 files)');
    const token = this.dataDir.apiToken();
    const identity = this.dataDir.readIdentity();
    if (this.cfg.join) {
      const t = decodeJoinToken(this.cfg.join.token);
      if (identity && identity.clusterId !== t.clusterId) {
        throw new ShoalError(ErrorCode.BadConfig, `data dir ${this.dataDir.root} belongs to cluster ${identity.clusterId}, not ${t.clusterId}; use another --data-dir to join a different cluster`);
      }
    }
    // Off loopback the API waits for its certificate, which needs the cluster: join or init first.
    const tls = apiUsesTls(this.cfg);
    if (!tls) await this.startApi(token);
    if (this.cfg.init && !identity) {
      await this.initCluster({ voters: this.cfg.voters, allowDangerous: this.cfg.allowDangerous });
    } else if (this.cfg.join && (!identity || !identity.joined)) {
      await this.joinCluster(this.cfg.join.addr, this.cfg.join.token);
    } else if (identity?.removed) {
      this.removed = removedMessage(identity.removed.nodeId, identity.clusterId, this.dataDir.root);
      this.log.error({ removedAt: new Date(identity.removed.at).toISOString() }, this.removed);
    } else if (identity) {
      if (!identity.joined) {
        throw new ShoalError(ErrorCode.BadConfig, `this node had not finished joining its cluster; start it again with --join ADDR --join-token-file FILE`);
      }
      await this.startRuntime(identity, false);
    } else {
      if (tls) throw noCertificate('it is in no cluster yet, so there is no cluster CA to issue one; start it with --init or with --join ADDR --join-token-file FILE');
      this.log.info(`not in a cluster yet: run \`shoal init\` to create one or \`shoal join ADDR --join-token-file FILE\` (API on ${this.cfg.apiListen})`);
    }
    if (tls) {
      const creds = this.runtime ? await obtainApiCredentials(this.runtime, this.tlsFiles) : this.tlsFiles.stored();
      if (!creds) throw noCertificate('none is stored and this node cannot ask the cluster for one');
      await this.startApi(token, creds);
    }
  }

  async stop(): Promise<void> {
    const rt = this.runtime;
    if (rt?.isLeader()) {
      const other = rt.raft.status().conf.voters.find((v) => v !== rt.selfId && rt.membership.liveness.state(v) === 'alive');
      if (other) await rt.raft.transferLeadership(other, { timeoutMs: 2000 }).catch(() => undefined);
    }
    this.stopRemovalWatch?.();
    this.stopCaKeeper?.();
    await this.api?.close();
    await rt?.stop();
  }

  /** This node learned it was removed: say so, remember it, stop taking part (tasks are left running, as on any stop). */
  private async onRemoved(rt: ClusterRuntime, identity: ClusterIdentity): Promise<void> {
    this.removed = removedMessage(rt.selfId, identity.clusterId, this.dataDir.root);
    this.log.error({ nodeId: rt.selfId }, this.removed);
    this.dataDir.writeIdentity({ ...(this.dataDir.readIdentity() ?? identity), removed: { at: Date.now(), nodeId: rt.selfId } });
    if (this.runtime === rt) this.runtime = null;
    await rt.stop().catch((err) => this.log.warn({ err: String(err) }, 'stopping the runtime of a removed node failed'));
  }

  /** Creates a new cluster with this node as its first voter. */
  async initCluster(opts: { voters: number; allowDangerous: boolean }): Promise<void> {
    this.assertNotClustered();
    const secrets = generateClusterSecrets();
    const identity: ClusterIdentity = { clusterId: secrets.clusterId, psk: Buffer.from(secrets.psk).toString('hex'), createdAt: Date.now(), joined: true };
    this.dataDir.writeIdentity(identity);
    const rt = await this.startRuntime(identity, true);
    await waitUntil(() => rt.isLeader(), 10_000, 'this node to become the leader of its new cluster');
    const at = Date.now();
    await rt.propose({ type: 'cluster.config', at, config: { clusterId: identity.clusterId, voters: opts.voters, allowDangerous: opts.allowDangerous, voterGraceMs: this.cfg.voterGraceMs, ...initRanges(this.cfg) } });
    await rt.propose({ type: 'allowlist.add', at, peerIds: [rt.selfId] });
    await rt.propose({ type: 'token.set', at, hash: hashSecret(secrets.joinSecret), sealed: sealSecret(identity.psk, secrets.joinSecret) });
    await rt.propose({ type: 'node.register', at, node: rt.registration('voter') });
    await rt.propose({ type: 'nodetoken.set', at, nodeId: rt.selfId, hash: hashToken(this.dataDir.apiToken()) });
    // The cluster CA for the admin API's TLS: its key stays with the voters.
    this.tlsFiles.writeCa(await createClusterCa(identity.clusterId, Date.now()));
    this.log.info({ clusterId: identity.clusterId }, 'cluster created; show the join command with `shoal cluster token show`');
  }

  /** Joins an existing cluster through the member at `addr` (host:port). */
  async joinCluster(addr: string, token: string): Promise<void> {
    const t = decodeJoinToken(token);
    const existing = this.dataDir.readIdentity();
    if (this.runtime) this.assertNotClustered();
    const identity: ClusterIdentity = existing ?? { clusterId: t.clusterId, psk: Buffer.from(t.psk).toString('hex'), createdAt: Date.now(), joined: false };
    if (!existing) this.dataDir.writeIdentity(identity);
    const rt = await this.startRuntime(identity, false);
    const { host, port } = parseHostPort('join', addr);
    const addrs = [`/ip4/${host}/tcp/${port}`, ...t.addrs];
    const markJoined = (): void => {
      if (identity.joined) return;
      identity.joined = true; // in place: the runtime and rotate-psk hold this object
      this.dataDir.writeIdentity(identity);
    };
    // Once this node is in the Raft membership it is joined, whether or not the join's answer has
    // arrived yet: it may be promoted, lead, and be killed before (it then restarted as half-joined).
    const inConf = (): boolean => {
      const conf = rt.raft.status().conf;
      return conf.voters.includes(rt.selfId) || conf.learners.includes(rt.selfId);
    };
    const watch = setInterval(() => inConf() && markJoined(), 100);
    let reply;
    try {
      reply = await requestJoin(rt, addrs, t.secret);
    } catch (err) {
      if (inConf()) {
        markJoined();
        this.log.warn({ err: String(err) }, 'the join request failed, but this node is already in the cluster membership: carrying on as a member');
        return;
      }
      // Refused or unreachable: leave no half-joined state, so the operator can retry with the right token.
      this.runtime = null;
      await rt.stop().catch(() => undefined);
      if (!existing) this.dataDir.clearIdentity();
      throw err;
    } finally {
      clearInterval(watch);
    }
    markJoined();
    this.log.info({ clusterId: reply.clusterId, members: reply.members.length }, 'joined the cluster');
  }

  private assertNotClustered(): void {
    if (this.runtime || this.dataDir.readIdentity()?.joined) {
      throw new ShoalError(ErrorCode.Conflict, 'this node is already in a cluster; use a new --data-dir for another cluster');
    }
  }

  private async startRuntime(identity: ClusterIdentity, bootstrap: boolean): Promise<ClusterRuntime> {
    const psk: PskHolder = { identity, ring: ringOf(identity), persist: (id) => this.dataDir.writeIdentity(id) };
    this.psk = psk;
    const rt: ClusterRuntime = new ClusterRuntime({
      pskRing: psk.ring,
      cfg: this.cfg,
      dataDir: this.dataDir,
      identity,
      logger: this.log,
      network: (nodeId, state, caughtUp) => this.networkAgent(nodeId, state, caughtUp),
      drivers: (nodeId, network): Promise<Driver[]> => pickDrivers(this.cfg, nodeId, this.dataDir, this.log, network, (task) => rt.secrets.registryAuth(task)),
      bootstrap,
      apiToken: this.dataDir.apiToken(),
      onWriteRefused: (reason, n) => this.metrics.writesRefused.inc({ reason }, n),
    });
    try {
      await rt.start();
    } catch (err) {
      await rt.stop().catch(() => undefined);
      throw err;
    }
    this.runtime = rt;
    registerAdmission(rt);
    registerMemberStatus(rt);
    registerTlsRpcs(rt, this.tlsFiles);
    registerPskRotation(rt, psk);
    this.stopCaKeeper?.();
    this.stopCaKeeper = keepCaKey(rt, this.tlsFiles);
    this.stopRemovalWatch?.();
    this.stopRemovalWatch = watchForRemoval(rt, () => void this.onRemoved(rt, identity));
    registerLogsHandler(rt);
    rt.onLeaderDuties((duties) => {
      duties.onFailover = () => this.metrics.failovers.inc();
      duties.onPass = (ms) => this.metrics.reconcileSeconds.observe(ms / 1000);
    });
    rt.raft.onLeaderChange(() => this.metrics.leaderChanges.inc());
    rt.onPeerRtt((ms) => this.metrics.heartbeatRttSeconds.observe(ms / 1000));
    registerNetworkMetrics(this.metrics.registry, () => this.runtime?.network?.stats);
    return rt;
  }

  private async networkAgent(nodeId: string, state: ClusterState, caughtUp: () => boolean): Promise<NetworkAgent | undefined> {
    const wantsDocker = this.cfg.drivers === undefined || this.cfg.drivers.includes('docker');
    const docker = wantsDocker ? dockerClient() : undefined;
    const hasDocker = docker !== undefined && (await docker.ping().then(() => true, () => false));
    return startNetworkAgent(this.cfg, nodeId, state, hasDocker ? docker : undefined, caughtUp, this.log);
  }

  private async startApi(token: string, tls?: ApiCredentials): Promise<void> {
    const lifecycle: ClusterLifecycle = {
      initCluster: async (opts) => {
        await this.initCluster({ voters: opts.voters ?? this.cfg.voters, allowDangerous: opts.allowDangerous ?? this.cfg.allowDangerous });
        return this.backend.showToken();
      },
      joinCluster: async (addr, token) => {
        await this.joinCluster(addr, token);
        return this.backend.clusterStatus();
      },
    };
    this.api = createApiServer({
      backend: this.backend,
      token,
      logger: this.log.child({ component: 'api' }),
      version: VERSION,
      nodeTokenName: nodeTokenName(this.cfg.name),
      // Cluster tokens (`shoal token create`), valid on every node: looked up by hash in the replicated state.
      authenticate: (presented) => {
        const t = this.runtime?.state.apiTokenByHash(hashToken(presented));
        return t ? { name: t.name, role: t.role, token: presented } : null;
      },
      // Declared inside the server so the OpenAPI document lists them.
      routes: [
        (api) => registerClusterRoutes(api, lifecycle),
        (api) => registerSecurityRoutes(api, () => this.runtime),
        (api) => registerTlsRoutes(api, this.tlsFiles),
        (api) => registerPskRoutes(api, this),
      ],
      ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    });
    registerNetworkRoutes(this.api, this);
    registerConsole(this.api, { root: consoleRoot });
    const { host, port } = parseHostPort('api-listen', this.cfg.apiListen);
    try {
      await this.api.listen({ host, port });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EADDRINUSE') throw new ShoalError(ErrorCode.BadConfig, `api-listen ${this.cfg.apiListen} is already in use; pick another with --api-listen`, undefined, { cause: err });
      throw err;
    }
    this.log.info({ api: `${tls ? 'https' : 'http'}://${this.cfg.apiListen}`, ...(tls ? { ca: this.tlsFiles.caCertFile } : {}) }, 'admin API listening');
  }
}

async function pickDrivers(cfg: DaemonConfig, nodeId: string, dataDir: DataDir, log: Logger, network: NetworkAgent | undefined, taskAuth: DockerDriverOptions['taskAuth']): Promise<Driver[]> {
  const exec = new ExecDriver({ nodeId, dataDir: dataDir.root, ...(network ? { network } : {}) });
  const docker = new DockerDriver({ nodeId, taskAuth, ...(network ? { network } : {}) });
  const wanted = cfg.drivers;
  if (wanted) {
    if (wanted.includes('docker') && !(await docker.available())) {
      throw new ShoalError(ErrorCode.DriverUnavailable, 'the docker driver was requested but no Docker engine answers; start dockerd or use --driver exec');
    }
    return wanted.map((n) => (n === 'docker' ? docker : exec));
  }
  if (await docker.available()) return [docker, exec];
  log.info('no Docker engine answers: using the exec driver only');
  return [exec];
}

async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new ShoalError(ErrorCode.Timeout, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

function flattenRejections(stats: P2PStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats.heartbeats.rejected)) out[`heartbeat_${k}`] = v;
  return out;
}
