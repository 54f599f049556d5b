import { describe, expect, it } from 'vitest';
import { LshBuffer } from '../src/clearinghouse/index-buffer.js';

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

  it('drops a stop key whole, a merged row alone, and lists the rest in key order for a merge', () => {
    const b = new LshBuffer();
    for (const [k, c, r] of [
      [30, 1, 1],
      [5, 2, 2],
      [5, 3, 3],
      [20, 1, 1],
      [11, 4, 4],
    ] as const)
      b.add(k, c, r);
    b.dropKey(20);
    b.remove(5, 2);
    expect(b.size).toBe(3);
    const s = b.sorted();
    expect([...s.key]).toEqual([5, 11, 30]);
    expect([...s.cluster]).toEqual([3, 4, 1]);
    expect(rowsOf(b, [20])).toEqual([]);
  });
});
