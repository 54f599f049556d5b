import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, isNearDuplicate, isNearDuplicateEarly, slotsNeeded, SLOTS, type Fingerprint } from '../src/signals/fingerprint/minhash.js';

/** Two fingerprints whose signatures agree exactly on the slots `agree` marks. */
function pair(agree: boolean[], shinglesA: number, shinglesB: number): [Fingerprint, Fingerprint] {
  const a = new Uint32Array(SLOTS);
  const b = new Uint32Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) {
    a[i] = i + 1;
    b[i] = agree[i] ? i + 1 : 1_000_000 + i;
  }
  return [
    { signature: a, shingles: shinglesA },
    { signature: b, shingles: shinglesB },
  ];
}

describe('the early-stopping near-duplicate decision', () => {
  it('decides every pair as the full comparison does: any agreement pattern, any sizes', () => {
    // agreement near the thresholds (≈ 26–80 equal slots) is where a wrong bound would show
    const agreement = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: SLOTS, maxLength: SLOTS }));
    fc.assert(
      fc.property(agreement, fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), ([rate, draws], sa, sb) => {
        const [a, b] = pair(draws.map((d) => d < rate * 0.5), sa, sb);
        expect(isNearDuplicateEarly(a, b)).toBe(isNearDuplicate(a, b, compare(a, b)));
        expect(isNearDuplicateEarly(b, a)).toBe(isNearDuplicate(b, a, compare(b, a)));
      }),
      { numRuns: 3000 },
    );
  });

  it('the bound is exact: one equal slot fewer than needed is not a near-duplicate', () => {
    for (const [sa, sb] of [[25, 25], [30, 3000], [400, 500], [24, 1000], [5000, 5000], [60, 100]] as const) {
      const need = slotsNeeded(...pair([], sa, sb));
      for (const same of [need - 1, need, need + 1]) {
        if (same < 0 || same > SLOTS) continue;
        // the equal slots last: the comparison cannot stop early and must count them all
        const [a, b] = pair(Array.from({ length: SLOTS }, (_, i) => i >= SLOTS - same), sa, sb);
        expect(isNearDuplicateEarly(a, b), `${sa}/${sb} shingles, ${same} equal slots`).toBe(isNearDuplicate(a, b));
      }
    }
    expect(slotsNeeded(...pair([], 24, 1000))).toBe(SLOTS + 1);
  });
});
