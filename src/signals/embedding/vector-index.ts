/**
 * Nearest neighbours by cosine similarity over normalised vectors, in memory, by exact scan
 * (about 1 ms per 10 000 vectors of 96 dimensions). Holds the stored petitions' vectors with their
 * verdicts, so a paraphrase of a known mass petition is found where fingerprints miss it.
 *
 * Bounded: it keeps the newest `capacity` vectors (a ring; the oldest is overwritten), so the scan
 * per petition stays constant however large the store grows. Mass campaigns arrive in bursts, and
 * older ones are still caught by fingerprints and the known-campaign library; SITO_VECTOR_INDEX_SIZE
 * sets the bound (README, "Operations and security").
 */
export interface Neighbour {
  id: string;
  similarity: number;
  level: 'high' | 'review' | 'low';
}

export const DEFAULT_VECTOR_CAPACITY = 20_000;

export class VectorIndex {
  private data: Float32Array;
  private readonly ids: string[] = [];
  private readonly levels: Array<Neighbour['level']> = [];
  /** the slot the next vector goes to, once the ring is full */
  private next = 0;
  /** ids held, with their slot */
  private readonly slots = new Map<string, number>();

  constructor(
    readonly dimension: number,
    readonly capacity = DEFAULT_VECTOR_CAPACITY,
  ) {
    this.data = new Float32Array(dimension * Math.min(1024, capacity));
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  add(id: string, vector: Float32Array, level: Neighbour['level']) {
    if (vector.length !== this.dimension) throw new Error(`vector of ${vector.length} dimensions in an index of ${this.dimension}`);
    let slot = this.ids.length;
    if (slot >= this.capacity) {
      slot = this.next;
      this.next = (this.next + 1) % this.capacity;
    }
    const at = slot * this.dimension;
    if (at + this.dimension > this.data.length) {
      const grown = new Float32Array(Math.min(this.data.length * 2, this.capacity * this.dimension));
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(vector, at);
    const old = this.ids[slot];
    if (old !== undefined && this.slots.get(old) === slot) this.slots.delete(old);
    this.slots.set(id, slot);
    this.ids[slot] = id;
    this.levels[slot] = level;
  }

  nearest(q: Float32Array, k: number, exclude?: string): Neighbour[] {
    const d = this.dimension;
    const best: Neighbour[] = [];
    for (let n = 0; n < this.ids.length; n++) {
      if (this.ids[n] === exclude) continue;
      let s = 0;
      const off = n * d;
      for (let i = 0; i < d; i++) s += this.data[off + i]! * q[i]!;
      if (best.length < k || s > best[best.length - 1]!.similarity) {
        best.push({ id: this.ids[n]!, similarity: s, level: this.levels[n]! });
        best.sort((a, b) => b.similarity - a.similarity);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }
}
