import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalise } from '../src/normalise/normalise.js';
import { mix, shingleHashes, SHINGLE, tokens, wordHashes } from '../src/signals/fingerprint/minhash.js';
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

/** The shingle hashes as first written: each run of SHINGLE word hashes mixed, kept distinct by a Set (what is checked is the keeping distinct). */
function shinglesByDefinition(folded: string, k = SHINGLE): number[] {
  const words = wordHashes(folded);
  const set = new Set<number>();
  if (words.length > 0 && words.length < k) set.add(mix(words.reduce((a, w) => Math.imul(a ^ w, 0x01000193), 0)));
  for (let i = 0; i + k <= words.length; i++) {
    let h = 0x9747b28c;
    for (let j = 0; j < k; j++) h = mix(h ^ words[i + j]!);
    set.add(h);
  }
  return [...set];
}

describe("the fingerprint's shingle hashes", () => {
  it('are the distinct mixed word pairs, in order of first occurrence: empty, one word, repeats, long texts', () => {
    const word = fc.constantFrom('petycja', 'gmina', 'rada', 'ul', '2024', 'a', 'x9y', 'z', 'wniosek');
    const text = fc.array(word, { maxLength: 400 }).map((w) => w.join(' '));
    fc.assert(fc.property(text, (t) => {
        expect(Array.from(shingleHashes(t))).toEqual(shinglesByDefinition(t));
      }), { numRuns: 1000 });
    for (const name of ['vendor/led-lighting.txt', `genuine/${GENUINE}`]) {
      const folded = normalise(fixture(name)).folded;
      expect(Array.from(shingleHashes(folded.repeat(3)))).toEqual(shinglesByDefinition(folded.repeat(3)));
    }
  });
});
