import { describe, expect, it } from 'vitest';
import { LshBuffer } from '../src/clearinghouse/index-buffer.js';
import { BANDS, bandKeys, bandOf } from '../src/signals/fingerprint/minhash.js';

const rowsOf = (b: LshBuffer, keys: number[], fromIndex: Array<[number, number, number]> = []) => {
  const into = { key: fromIndex.map((r) => r[0]), cluster: fromIndex.map((r) => r[1]), report: fromIndex.map((r) => r[2]) };
  b.rows(keys, into);
  return into.key.map((k, i) => [k, into.cluster[i], into.report[i]]).slice(fromIndex.length);
};

describe('the buffer of the newest LSH rows', () => {
  it('holds each (key, cluster) once, as the index does, keeping the report that brought it first', () => {
    const b = new LshBuffer();
    expect(b.add(7, 1, 10)).toBe(true);
    expect(b.add(7, 1, 11)).toBe(false);
    expect(b.add(7, 2, 12)).toBe(true);
    expect(b.size).toBe(2);
    expect(rowsOf(b, [7, 8])).toEqual([
      [7, 1, 10],
      [7, 2, 12],
    ]);
  });

  it('leaves out a row the index gave already (merged by another process, or by a merge cut short)', () => {
    const b = new LshBuffer();
    b.add(7, 1, 10);
    b.add(7, 2, 12);
    b.add(9, 1, 10);
    expect(rowsOf(b, [7, 9], [[7, 1, 10]])).toEqual([
      [7, 2, 12],
      [9, 1, 10],
    ]);
  });

  it('drops a stop key whole, a merged row alone, and lists the rest band by band in key order for a merge', () => {
    const b = new LshBuffer();
    // band keys as bandKeys makes them: the band in the high part
    const band = (n: number, k: number) => n * 0x100000000 + k;
    for (const [k, c, r] of [
      [band(2, 30), 1, 1],
      [band(0, 5), 2, 2],
      [band(0, 5), 3, 3],
      [band(0, 20), 1, 1],
      [band(2, 11), 4, 4],
      [band(0, 0xfffffff0), 5, 5],
    ] as const)
      b.add(k, c, r);
    b.dropKey(band(0, 20));
    b.remove(band(0, 5), 2);
    expect(b.size).toBe(4);
    expect(b.bandsHeld()).toEqual([0, 2]);
    const first = b.sortedBand(0);
    expect([...first.key]).toEqual([band(0, 5), band(0, 0xfffffff0)]);
    expect([...first.cluster]).toEqual([3, 5]);
    expect([...b.sortedBand(2).key]).toEqual([band(2, 11), band(2, 30)]);
    expect(rowsOf(b, [band(0, 20)])).toEqual([]);
  });

  it('keeps the rows of one band together: the band of each key bandKeys makes is its place', () => {
    const keys = bandKeys(Uint32Array.from({ length: 256 }, (_, i) => (i * 2654435761) >>> 0));
    expect(keys.map(bandOf)).toEqual(Array.from({ length: BANDS }, (_, b) => b));
    const b = new LshBuffer();
    keys.forEach((k) => b.add(k, 1, 1));
    expect(b.bandsHeld()).toHaveLength(BANDS);
  });
});
