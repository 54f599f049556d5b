import { bandOf } from '../signals/fingerprint/minhash.js';

/**
 * The newest LSH rows of the SQLite clearinghouse, kept in the process and written to the index in
 * key order, many at once (see SqliteClearinghouseStore). A new text brings 85 band keys, and each
 * lands on its own random page of an index of hundreds of MB: written one text at a time, every
 * commit wrote thousands of pages for a few rows each, and the commit was the largest part of the
 * clearinghouse's time. Merged a million rows at a time, each page of the index is written about
 * once per merge.
 *
 * Rows are (band key, cluster, report), each (key, cluster) once — the index's own primary key —
 * so a row that is also in the index already (a merge another process made, or one cut short) is
 * told apart by `rows`, which leaves out what the index gave. They are kept per band (bandOf), so a
 * merge sorts one band at a time: sorting a million keys at once held the process for a second.
 */
export class LshBuffer {
  /** band → key → [cluster, report, cluster, report, …] */
  private readonly bands = new Map<number, Map<number, number[]>>();
  private count = 0;

  private band(key: number, create: true): Map<number, number[]>;
  private band(key: number, create?: false): Map<number, number[]> | undefined;
  private band(key: number, create = false) {
    const b = bandOf(key);
    let m = this.bands.get(b);
    if (!m && create) this.bands.set(b, (m = new Map()));
    return m;
  }

  get size() {
    return this.count;
  }

  /** Adds the row unless its (key, cluster) is here already; says whether it was added. */
  add(key: number, cluster: number, report: number): boolean {
    const band = this.band(key, true);
    const list = band.get(key);
    if (!list) {
      band.set(key, [cluster, report]);
      this.count++;
      return true;
    }
    for (let i = 0; i < list.length; i += 2) if (list[i] === cluster) return false;
    list.push(cluster, report);
    this.count++;
    return true;
  }

  /** Drops every row of this key (it became a stop key). */
  dropKey(key: number) {
    const band = this.band(key);
    const list = band?.get(key);
    if (!list) return;
    this.count -= list.length / 2;
    band!.delete(key);
  }

  /** Drops one row (it is in the index now). */
  remove(key: number, cluster: number) {
    const band = this.band(key);
    const list = band?.get(key);
    if (!list) return;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] !== cluster) continue;
      list.splice(i, 2);
      this.count--;
      if (!list.length) band!.delete(key);
      return;
    }
  }

  clear() {
    this.bands.clear();
    this.count = 0;
  }

  /**
   * Appends the rows of these keys to `into`, leaving out a (key, cluster) that `into` holds
   * already from the index (only its first `fromIndex` rows are the index's).
   */
  rows(keys: readonly number[], into: { key: number[]; cluster: number[]; report: number[] }) {
    if (!this.count) return;
    const fromIndex = into.key.length;
    for (const k of keys) {
      const list = this.band(k)?.get(k);
      if (!list) continue;
      for (let i = 0; i < list.length; i += 2) {
        let known = false;
        for (let j = 0; j < fromIndex && !known; j++) known = into.key[j] === k && into.cluster[j] === list[i];
        if (known) continue;
        into.key.push(k);
        into.cluster.push(list[i]!);
        into.report.push(list[i + 1]!);
      }
    }
  }

  /** The bands that hold rows, in order. */
  bandsHeld(): number[] {
    return [...this.bands.keys()].sort((a, b) => a - b);
  }

  /** The rows of one band, in key order, as parallel arrays: what a merge writes next. */
  sortedBand(band: number): SortedRows {
    const rows = this.bands.get(band) ?? new Map<number, number[]>();
    // a typed array sorts numerically, faster than with a compare function
    const keys = Float64Array.from(rows.keys()).sort();
    let n0 = 0;
    for (const list of rows.values()) n0 += list.length / 2;
    const out = { key: new Float64Array(n0), cluster: new Float64Array(n0), report: new Float64Array(n0) };
    let n = 0;
    for (const k of keys) {
      const list = rows.get(k)!;
      for (let i = 0; i < list.length; i += 2, n++) {
        out.key[n] = k;
        out.cluster[n] = list[i]!;
        out.report[n] = list[i + 1]!;
      }
    }
    return out;
  }
}

export interface SortedRows {
  key: Float64Array;
  cluster: Float64Array;
  report: Float64Array;
}
