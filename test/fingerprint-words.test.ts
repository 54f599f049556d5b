import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalise } from '../src/normalise/normalise.js';
import { tokens, wordHashes } from '../src/signals/fingerprint/minhash.js';
import { fixture } from './helpers/paths.js';

/** 32-bit FNV-1a of a string: the definition the word hashes must keep (stored fingerprints depend on it). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const GENUINE = 'association-dog-park.txt';
const byDefinition = (folded: string) => tokens(folded).map(fnv1a);

describe("the fingerprint's word hashes", () => {
  it('are fnv1a of the tokens (numbers as "0", one-letter words dropped) on generated folded texts', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', 'z', '0', '7', 'ab', 'a1', '1a', '2024', '12.05', 'ul.', 'nr 5', '§', ' ', '\n', '-', 'zl', 'petycja', 'x9y'),
      fc.string({ maxLength: 8 }),
    );
    const text = fc.array(piece, { maxLength: 60 }).map((p) => normalise(p.join(' ')).folded);
    fc.assert(fc.property(text, (folded) => {
        expect(wordHashes(folded)).toEqual(byDefinition(folded));
      }), { numRuns: 500 });
  });

  it('are the same on real-looking petitions, folded', () => {
    for (const name of ['vendor/led-lighting.txt', 'vendor/nis2-audit.txt', `genuine/${GENUINE}`]) {
      const folded = normalise(fixture(name)).folded;
      expect(wordHashes(folded)).toEqual(byDefinition(folded));
      expect(wordHashes(folded).length).toBeGreaterThan(50);
    }
  });
});
