import { bandKeys, isNearDuplicateEarly, type Fingerprint } from './minhash.js';

/** An in-memory LSH index, for batch work (training, imports) where the database is not involved. */
export class MemoryIndex<T> {
  private readonly buckets = new Map<number, number[]>();
  private readonly items: Array<{ fp: Fingerprint; value: T }> = [];

  add(fp: Fingerprint, value: T) {
    const i = this.items.push({ fp, value }) - 1;
    for (const k of bandKeys(fp.signature)) {
      const b = this.buckets.get(k);
      if (b) b.push(i);
      else this.buckets.set(k, [i]);
    }
  }

  /** The values of the verified near-duplicates of `fp`, at most `limit` candidates checked. */
  nearDuplicates(fp: Fingerprint, limit = 64): T[] {
    const seen = new Set<number>();
    for (const k of bandKeys(fp.signature)) {
      for (const i of this.buckets.get(k) ?? []) {
        seen.add(i);
        if (seen.size >= limit) break;
      }
      if (seen.size >= limit) break;
    }
    const out: T[] = [];
    for (const i of seen) {
      const it = this.items[i]!;
      if (isNearDuplicateEarly(fp, it.fp)) out.push(it.value);
    }
    return out;
  }
}
