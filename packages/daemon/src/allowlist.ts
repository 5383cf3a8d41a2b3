/**
 * Which peers may talk to this node beyond the join handshake: members on
 * the replicated allowlist, plus the seed members a joining node learned
 * from the join reply (its own replica is still empty then). Revoked ids are
 * refused even if listed anywhere else. A Set, since the connection gater
 * asks on every connection and stream.
 */
import type { ClusterView } from '@shoal/state';

export class PeerAllowlist {
  private members = new Set<string>();
  private readonly seeds = new Set<string>();
  private revoked = new Set<string>();
  private self: string | null = null;

  constructor(private readonly state: ClusterView) {}

  addSelf(id: string): void {
    this.self = id;
  }

  addSeeds(ids: string[]): void {
    for (const id of ids) this.seeds.add(id);
  }

  refresh(): void {
    this.members = new Set(this.state.allowlist());
    this.revoked = new Set(this.state.revoked());
    for (const id of this.members) this.seeds.delete(id);
  }

  has(peerId: string): boolean {
    if (peerId === this.self) return true;
    if (this.revoked.has(peerId)) return false;
    return this.members.has(peerId) || this.seeds.has(peerId);
  }
}
