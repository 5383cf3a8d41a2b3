/** Real libp2p nodes on loopback for the tests and benchmarks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createP2PNode, generateClusterSecrets, type P2PNode, type P2PNodeOptions } from '../src/index.js';

export interface TestCluster {
  nodes: P2PNode[];
  members: Set<string>;
  psk: Uint8Array;
  dirs: string[];
  /** Creates and starts one more node (not yet a member unless `member`). */
  add(opts?: { member?: boolean; psk?: Uint8Array; allow?: P2PNodeOptions['allow'] }): Promise<P2PNode>;
  /** Tells every node the addresses of every other node, so they connect. */
  mesh(): void;
  close(): Promise<void>;
}

export async function startCluster(n: number): Promise<TestCluster> {
  const { psk } = generateClusterSecrets();
  const members = new Set<string>();
  const c: TestCluster = {
    nodes: [],
    members,
    psk,
    dirs: [],
    async add(o = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'shoal-p2p-'));
      c.dirs.push(dir);
      const node = await createP2PNode({
        dataDir: dir,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        psk: o.psk ?? psk,
        allow: o.allow ?? ((p) => members.has(p)),
      });
      if (o.member !== false) members.add(node.peerId);
      await node.start();
      c.nodes.push(node);
      return node;
    },
    mesh() {
      for (const a of c.nodes) for (const b of c.nodes) if (a !== b && members.has(b.peerId)) a.setPeerAddresses(b.peerId, b.addresses());
    },
    async close() {
      await Promise.allSettled(c.nodes.map((x) => x.stop()));
      for (const d of c.dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < n; i++) await c.add();
  return c;
}

