import { describe, expect, it } from 'vitest';
import type { FeatureVector } from '../src/classifier/features.js';
import { fitMany } from '../src/classifier/fit-pool.js';
import { DEFAULT_TRAIN } from '../src/classifier/logistic.js';
import { seededRandom } from '../src/random.js';

/** Generated sparse vectors whose label leans on a few n-gram buckets and dense features. */
function vectors(n: number, width: number): { xs: FeatureVector[]; ys: Array<0 | 1> } {
  const r = seededRandom(9);
  const xs: FeatureVector[] = [];
  const ys: Array<0 | 1> = [];
  for (let i = 0; i < n; i++) {
    const y = r() < 0.5 ? 1 : 0;
    const dense = Float64Array.from({ length: width }, () => (r() < 0.2 ? r() + y * 0.5 : 0));
    const ngrams = Uint32Array.from(new Set(Array.from({ length: 200 }, () => Math.floor(r() * 5000) + (y ? 0 : 100_000)))).sort();
    xs.push({ dense, ngrams, ngramValue: 1 / Math.sqrt(ngrams.length) });
    ys.push(y);
  }
  return { xs, ys };
}

describe('fitting several models on threads', () => {
  it('gives each fit the weights one thread gives it, in the order asked, reporting each fit done', async () => {
    const { xs, ys } = vectors(600, 12);
    const all = Uint32Array.from(xs.keys());
    const options = { ...DEFAULT_TRAIN, epochs: 3 };
    const prior = { bias: 0.1, dense: new Float64Array(12).fill(0.2) };
    const jobs = [0, 1, 2].map((f) => ({ rows: all.filter((i) => i % 3 !== f), options, prior }));
    jobs.push({ rows: all, options, prior });
    const one = await fitMany(xs, ys, jobs, 1);
    let done = 0;
    // the vectors are plain arrays here: they are copied into shared memory first
    const two = await fitMany(xs, ys, jobs, 2, () => done++);
    expect(done).toBe(jobs.length);
    expect(two.map((w) => [w.bias, Array.from(w.dense), Array.from(w.ngram)])).toEqual(one.map((w) => [w.bias, Array.from(w.dense), Array.from(w.ngram)]));
    // the fits differ from one another (a fold's rows are not the whole file's)
    expect(one[0]!.bias).not.toBe(one[3]!.bias);
  });

  it('a failing fit rejects with its reason', async () => {
    const { xs, ys } = vectors(50, 4);
    const bad = [{ rows: Uint32Array.of(0, 1, 2), options: DEFAULT_TRAIN, prior: { bias: 0, dense: new Float64Array(4) } }, { rows: Uint32Array.of(0, 99_999), options: DEFAULT_TRAIN, prior: { bias: 0, dense: new Float64Array(4) } }];
    await expect(fitMany(xs, ys, bad, 2)).rejects.toThrow(/fitting a model/);
  });
});
