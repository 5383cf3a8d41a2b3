/**
 * `shoal cluster rotate-psk`: a new private-network key without a moment in
 * which members cannot connect. The connection protector (p2p
 * rotating-pnet.ts) encrypts each direction under its sender's key and
 * detects the peer's, so the leader walks every member through three
 * phases, each acknowledged by all before the next:
 *   stage   accept old and new, dial with old
 *   switch  accept old and new, dial with new   (then the join secret is resealed under new)
 *   finish  accept and dial only new
 * At every moment the listener of a new connection accepts the dialer's
 * key. The new key travels inside the members' Noise channels, and a node
 * takes phases only from the current Raft leader. Each node keeps its phase
 * in cluster.json, so a restart mid-rotation resumes where it was, and a
 * rotation cut short (a member down) is resumed by running the command again.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, ShoalError } from '@shoal/types';
import { PskRing, hashSecret } from '@shoal/p2p';
import type { ClusterIdentity } from './data-dir.js';
import type { ClusterRuntime } from './runtime.js';
import { sealSecret, unsealSecret } from './join-secret.js';

export const PSK_ROTATE_METHOD = 'psk.rotate';
export type PskPhase = 'stage' | 'switch' | 'finish';
const PHASES: PskPhase[] = ['stage', 'switch', 'finish'];
const HEX_KEY = /^[0-9a-f]{64}$/;

export interface PskRotationResult {
  /** First 8 hex digits of sha256(new key): enough to compare, useless to an attacker. */
  keyId: string;
  members: number;
  /** Members that did not acknowledge (only with force): they must rejoin with a fresh data dir. */
  unreached: { id: string; name: string; error: string }[];
}

/** The keys a node holds, from its identity. */
export function ringOf(identity: ClusterIdentity): PskRing {
  const key = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
  return new PskRing(key(identity.psk), [identity.psk, ...(identity.pskAccept ?? [])].map(key));
}

/** The identity after a phase (pure). */
export function applyPhase(identity: ClusterIdentity, phase: PskPhase, next: string): ClusterIdentity {
  const accept = [...new Set([identity.psk, ...(identity.pskAccept ?? [])])];
  switch (phase) {
    case 'stage':
      if (identity.psk === next) return identity; // already switched: a repeated stage must not go back
      return { ...identity, pskAccept: [...new Set([...(identity.pskAccept ?? []), next])].filter((k) => k !== identity.psk), rotation: { next, phase } };
    case 'switch':
      return { ...identity, psk: next, pskAccept: accept.filter((k) => k !== next), rotation: { next, phase } };
    case 'finish': {
      const { pskAccept: _a, rotation: _r, ...rest } = identity;
      return { ...rest, psk: next };
    }
  }
}

/** The node side: what the rotation needs from ShoalNode. */
export interface PskHolder {
  identity: ClusterIdentity;
  ring: PskRing;
  persist(identity: ClusterIdentity): void;
}

export function takePhase(holder: PskHolder, phase: PskPhase, next: string): void {
  const updated = applyPhase(holder.identity, phase, next);
  holder.persist(updated);
  // The runtime and the backend hold this object: change it in place.
  for (const k of Object.keys(holder.identity) as (keyof ClusterIdentity)[]) if (!(k in updated)) delete holder.identity[k];
  Object.assign(holder.identity, updated);
  const ring = ringOf(updated);
  holder.ring.set(ring.dial(), ring.accepts());
}

export function registerPskRotation(rt: ClusterRuntime, holder: PskHolder): void {
  rt.p2p.handle(PSK_ROTATE_METHOD, async (from, body) => {
    if (from !== rt.raft.status().leader) throw new ShoalError(ErrorCode.Forbidden, 'only the current leader may rotate the cluster key');
    const b = body as { phase?: unknown; psk?: unknown } | null;
    if (!PHASES.includes(b?.phase as PskPhase) || typeof b?.psk !== 'string' || !HEX_KEY.test(b.psk)) throw new ShoalError(ErrorCode.BadMessage, 'psk.rotate needs {phase, psk}');
    takePhase(holder, b.phase as PskPhase, b.psk);
    return { phase: b.phase };
  });
}

/** Every key this node knows, current first: the sealed join secret may be under any of them mid-rotation. */
export function openJoinSecret(identity: ClusterIdentity, sealed: string): string {
  let last: unknown;
  for (const k of [identity.psk, ...(identity.pskAccept ?? [])]) {
    try {
      return unsealSecret(k, sealed);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** The leader walks every member through the phases. */
export async function rotatePsk(rt: ClusterRuntime, holder: PskHolder, opts: { force?: boolean } = {}): Promise<PskRotationResult> {
  if (!rt.isLeader()) {
    const leader = rt.raft.status().leader;
    throw new ShoalError(ErrorCode.Conflict, `run rotate-psk against the leader's API (${leader ? rt.state.node(leader)?.name ?? leader : 'no leader now'}; see \`shoal cluster status\`)`);
  }
  // A rotation cut short is resumed with the same key.
  const next = holder.identity.rotation?.next ?? randomBytes(32).toString("hex");
  const unreached = new Map<string, { id: string; name: string; error: string }>();
  const members = rt.state.nodes().filter((n) => n.id !== rt.selfId);
  for (const phase of PHASES) {
    const failed: { id: string; name: string; error: string }[] = [];
    await Promise.all(
      members
        .filter((n) => !unreached.has(n.id))
        .map((n) =>
          rt.p2p.request(n.id, PSK_ROTATE_METHOD, { phase, psk: next }, { timeoutMs: 5000 }).catch((err: Error) => {
            failed.push({ id: n.id, name: n.name, error: err.message });
          }),
        ),
    );
    if (failed.length > 0 && !opts.force) {
      if (phase === 'stage' || phase === 'switch') takePhase(holder, phase, next);
      throw new ShoalError(
        ErrorCode.Conflict,
        `rotate-psk stopped after "${phase}": ${failed.map((f) => `${f.name} (${f.error})`).join('; ')} did not acknowledge. ` +
          'Every member still accepts the old and the new key; bring them back and run the command again to finish, or add --force to finish without them (they must then rejoin with a fresh data dir)',
        { phase, unreached: failed },
      );
    }
    for (const f of failed) unreached.set(f.id, f);
    takePhase(holder, phase, next);
    if (phase === 'switch') {
      // Every member knows the new key now: reseal the join secret under it, so tokens carry a key that opens it.
      const sealed = rt.state.joinTokenSealed();
      const hash = rt.state.joinTokenHash();
      if (sealed && hash) {
        const secret = openJoinSecret(holder.identity, sealed);
        if (hashSecret(secret) === hash) await rt.propose({ type: 'token.set', at: Date.now(), hash, sealed: sealSecret(next, secret) });
      }
    }
  }
  rt.log.info({ members: members.length + 1, unreached: [...unreached.values()].map((u) => u.name) }, 'cluster key rotated');
  return { keyId: hashSecret(next).slice(0, 8), members: members.length + 1, unreached: [...unreached.values()] };
}
