import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectNgrams, MAX_NGRAMS, NGRAM_BUCKETS } from '../src/classifier/features.js';

/** The n-gram pass as first written (a loop over the lengths 1–5), kept as the reference. */
function reference(folded: string) {
  const bucketOf = (h: number, len: number) => {
    h ^= Math.imul(len, 0x9e3779b9);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return (h >>> 0) & (NGRAM_BUCKETS - 1);
  };
  const mix = (h: number) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const codes = Array.from(folded, (ch) => {
    const c = ch.charCodeAt(0);
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ? c : 0x20;
  });
  const seen = new Set<number>();
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i + 3 <= codes.length; i++) {
    let h = 0x811c9dc5;
    for (let len = 1; len <= Math.min(5, codes.length - i); len++) {
      h = Math.imul(h ^ codes[i + len - 1]!, 0x01000193);
      if (len < 3) continue;
      const b = bucketOf(h, len);
      if (seen.has(b)) continue;
      seen.add(b);
      out.push([b, i, len]);
    }
  }
  if (out.length <= MAX_NGRAMS) return out;
  const cut = (MAX_NGRAMS / out.length) * 0x100000000;
  return out.filter(([b]) => mix(b) < cut);
}

const triples = (o: ReturnType<typeof collectNgrams>) => Array.from(o.buckets, (b, k) => [b, o.start[k]!, o.length[k]!]);

describe('character n-grams, the unrolled pass', () => {
  it('keeps the same n-grams, first occurrences and lengths as the loop over lengths: short texts, repeats, ends', () => {
    const short = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '1', 'ł', '.', 'z'), maxLength: 60 });
    fc.assert(fc.property(short, (t) => {
      expect(triples(collectNgrams(t))).toEqual(reference(t));
      // as bytes, as folded text (ASCII) is given
      const ascii = t.replace(/ł/g, '\x7f');
      expect(triples(collectNgrams(Buffer.from(ascii, 'latin1')))).toEqual(reference(ascii));
    }), { numRuns: 2000 });
  });

  it('and on long texts, where a sample of about MAX_NGRAMS is kept', () => {
    const long = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 ,'), minLength: 3000, maxLength: 12_000 });
    fc.assert(
      fc.property(long, (t) => {
        const got = triples(collectNgrams(t));
        expect(got).toEqual(reference(t));
        expect(triples(collectNgrams(Buffer.from(t, 'latin1')))).toEqual(got);
        expect(got.length).toBeLessThan(3 * MAX_NGRAMS);
      }),
      { numRuns: 30 },
    );
  });
});
