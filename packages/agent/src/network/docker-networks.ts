/**
 * The Docker side of attachment: one bridge network per shoal network that
 * has a subnet on this node, named `shoal-<network>`, with exactly the
 * allocated subnet, the bridge device `shb-<id>` and the overlay's MTU.
 * Networks shoal made (label `shoal.network`) that are no longer wanted are
 * removed once no container uses them.
 */
import type Docker from 'dockerode';
import { OVERLAY_MTU, type LocalNetwork } from '@shoal/netplan';
import type { Logger } from 'pino';

export const LABEL_NETWORK = 'shoal.network';

interface DockerNet {
  Name: string;
  Id: string;
  IPAM?: { Config?: { Subnet?: string }[] };
  Labels?: Record<string, string>;
  Containers?: Record<string, unknown>;
}

export class DockerNetworks {
  private ensured = new Map<string, string>(); // docker name -> subnet it was checked with

  constructor(
    private readonly docker: Docker,
    private readonly log: Logger,
  ) {}

  async reconcile(wanted: LocalNetwork[]): Promise<void> {
    const existing = (await this.docker.listNetworks({ filters: { label: [LABEL_NETWORK] } })) as unknown as DockerNet[];
    const want = new Map(wanted.map((w) => [w.dockerName, w]));
    for (const net of existing) {
      const w = want.get(net.Name);
      const subnet = net.IPAM?.Config?.[0]?.Subnet;
      if (w && subnet === w.subnet) continue;
      // Unwanted, or a stale subnet from an earlier allocation: remove it (Docker refuses while containers use it).
      await this.docker
        .getNetwork(net.Id)
        .remove()
        .then(() => this.ensured.delete(net.Name))
        .catch((err: Error) => this.log.debug({ err: err.message, network: net.Name }, 'docker network still in use; kept'));
    }
    const after = new Set(((await this.docker.listNetworks({ filters: { label: [LABEL_NETWORK] } })) as unknown as DockerNet[]).map((n) => n.Name));
    for (const w of wanted) {
      if (after.has(w.dockerName)) {
        this.ensured.set(w.dockerName, w.subnet);
        continue;
      }
      await this.create(w);
    }
  }

  /** Makes sure one network exists (the fast path when reconcile already did it). */
  async ensure(w: LocalNetwork): Promise<void> {
    if (this.ensured.get(w.dockerName) === w.subnet) return;
    try {
      const info = (await this.docker.getNetwork(w.dockerName).inspect()) as DockerNet;
      if (info.IPAM?.Config?.[0]?.Subnet === w.subnet) {
        this.ensured.set(w.dockerName, w.subnet);
        return;
      }
      await this.docker.getNetwork(w.dockerName).remove();
    } catch {
      // absent: create below
    }
    await this.create(w);
  }

  private async create(w: LocalNetwork): Promise<void> {
    try {
      await this.docker.createNetwork({
        Name: w.dockerName,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: w.subnet, Gateway: w.gateway }] },
        Options: { 'com.docker.network.bridge.name': w.bridge, 'com.docker.network.driver.mtu': String(OVERLAY_MTU) },
        Labels: { [LABEL_NETWORK]: w.network },
      });
      this.log.info({ network: w.network, subnet: w.subnet, bridge: w.bridge }, 'created the docker network of a shoal network');
    } catch (err) {
      if (!/already exists/.test((err as Error).message)) throw err;
    }
    this.ensured.set(w.dockerName, w.subnet);
  }
}
