/**
 * A min-heap of node ranks (key, then node index), kept in typed arrays:
 * it is the scheduler's inner loop, and flat arrays avoid an object per
 * entry and the pointer chasing that comes with it. Each entry also carries
 * the node's version when it was ranked, so stale entries can be told apart.
 */
export class RankHeap {
  private keys = new Float64Array(16);
  private nodes = new Int32Array(16);
  private versions = new Int32Array(16);
  size = 0;
  /** The entry the last successful `pop` removed. */
  node = -1;
  version = -1;
  key = 0;

  peekKey(): number {
    return this.keys[0];
  }

  peekNode(): number {
    return this.nodes[0];
  }

  push(node: number, version: number, key: number): void {
    if (this.size === this.keys.length) this.grow();
    const { keys, nodes } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent];
      if (key > pk || (key === pk && node > nodes[parent])) break;
      this.copy(i, parent);
      i = parent;
    }
    this.set(i, key, node, version);
  }

  /** Removes the best entry into `node`/`version`/`key`; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const { keys, nodes, versions } = this;
    this.node = nodes[0];
    this.version = versions[0];
    this.key = keys[0];
    const n = --this.size;
    if (n === 0) return true;
    const lastKey = keys[n];
    const lastNode = nodes[n];
    const lastVersion = versions[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const r = child + 1;
      if (r < n && (keys[r] < keys[child] || (keys[r] === keys[child] && nodes[r] < nodes[child]))) child = r;
      const ck = keys[child];
      if (lastKey < ck || (lastKey === ck && lastNode < nodes[child])) break;
      this.copy(i, child);
      i = child;
    }
    this.set(i, lastKey, lastNode, lastVersion);
    return true;
  }

  /** Slot `to` takes the entry in slot `from` (one sift step; small enough for V8 to inline). */
  private copy(to: number, from: number): void {
    this.keys[to] = this.keys[from];
    this.nodes[to] = this.nodes[from];
    this.versions[to] = this.versions[from];
  }

  private set(i: number, key: number, node: number, version: number): void {
    this.keys[i] = key;
    this.nodes[i] = node;
    this.versions[i] = version;
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const keys = new Float64Array(size);
    const nodes = new Int32Array(size);
    const versions = new Int32Array(size);
    keys.set(this.keys);
    nodes.set(this.nodes);
    versions.set(this.versions);
    this.keys = keys;
    this.nodes = nodes;
    this.versions = versions;
  }
}
