import { describe, expect, it } from 'vitest';
import { rng, stream } from '../scripts/lib/generate-petitions.js';

/**
 * Benchmarks generate one text per seed. Streams that start within a few hundred draws of each
 * other on one cycle make two "unrelated" texts share long runs of words: xorshift32 (`rng`) does
 * that for some thousands of pairs among 200 000 seeds; `stream` must not.
 */
function overlappingPairs(make: (seed: number) => () => number, seeds: number, draws: number): number {
  const first = new Map<number, number>();
  const second = new Float64Array(seeds + 1);
  for (let s = 1; s <= seeds; s++) {
    const r = make(s);
    first.set(r(), s);
    second[s] = r();
  }
  let pairs = 0;
  for (let s = 1; s <= seeds; s++) {
    const r = make(s);
    let prev = r();
    for (let k = 1; k < draws; k++) {
      const next = r();
      const other = first.get(prev);
      if (other !== undefined && other !== s && second[other] === next) pairs++;
      prev = next;
    }
  }
  return pairs;
}

describe('random streams for generated texts', () => {
  it('do not start within 300 draws of one another, as xorshift32 streams of the bench seeds did', () => {
    expect(overlappingPairs((s) => rng(s * 2654435761), 20_000, 300)).toBeGreaterThan(10);
    expect(overlappingPairs(stream, 20_000, 300)).toBe(0);
  }, 30_000);

  it('are reproducible and in [0, 1)', () => {
    const a = stream(42);
    const b = stream(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(stream(43)()).not.toBe(stream(42)());
  });
});
