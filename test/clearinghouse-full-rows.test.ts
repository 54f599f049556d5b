import { describe, expect, it } from 'vitest';
import { FullClusterRows } from '../src/clearinghouse/clusters.js';

describe('FullClusterRows (the LSH rows of full clusters a clearinghouse process has read)', () => {
  it('gives the rows of the asked keys, each (key, cluster) once, as parallel arrays', () => {
    const rows = new FullClusterRows();
    rows.add(10, 1, 100);
    rows.add(10, 2, 200);
    rows.add(10, 1, 101); // the same key and cluster again: kept once, with its first member
    rows.add(11, 1, 100);
    expect(rows.size).toBe(3);
    expect(rows.rows([10, 11, 12])).toEqual({ clusters: [1, 2, 1], reports: [100, 200, 100] });
    expect(rows.rows([12])).toEqual({ clusters: [], reports: [] });
  });

  it('stays within its bound: full, it starts again rather than grow', () => {
    const rows = new FullClusterRows(4);
    for (let k = 0; k < 4; k++) rows.add(k, 7, 70);
    expect(rows.size).toBe(4);
    rows.add(99, 7, 70);
    expect(rows.size).toBe(1);
    expect(rows.rows([0, 1, 2, 3, 99])).toEqual({ clusters: [7], reports: [70] });
  });
});
