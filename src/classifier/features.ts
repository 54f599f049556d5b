import type { RuleHit } from '../signals/rules/match-rules.js';

/**
 * The classifier's features, named so that a weight can be explained:
 *   rule:<id>          1 when the rule fired
 *   template:repeats   ln(1 + other petitions of the same template seen so far)
 *   template:known_mass  matched a known campaign labelled mass
 * A known campaign labelled regular (residents reusing one text) sets no template feature: a shared
 * template alone is not evidence of mass mailing.
 *   embedding:<i>      the petition's embedding vector, when the model was trained with one
 *   ngram              hashed character 3–5-grams of the folded text (L2-normalised, binary)
 * Dense features (rules, template) come first, then NGRAM_BUCKETS hashed n-gram slots.
 */
export const NGRAM_BITS = 18;
export const NGRAM_BUCKETS = 1 << NGRAM_BITS;
/** Contiguous lengths: one incremental hash pass yields them all. */
export const NGRAM_SIZES = [3, 4, 5] as const;
/** Names the n-gram hashing; a model hashed otherwise has meaningless n-gram weights here. */
export const NGRAM_HASH = 'fnv1a-incremental-1';
/** Distinct n-grams kept per petition (bounded memory for 100 000-row training files). */
export const MAX_NGRAMS = 2000;

export const TEMPLATE_FEATURES = ['template:repeats', 'template:known_mass'] as const;

export interface TemplateEvidence {
  /** other petitions of the same template seen before this one */
  repeats: number;
  known: 'mass' | 'regular' | null;
}

/** A sparse feature vector: dense part by name index, n-grams by bucket. */
export interface FeatureVector {
  dense: Float64Array;
  ngrams: Uint32Array;
  /** the value of each present n-gram bucket: 1/sqrt(count of distinct n-grams) */
  ngramValue: number;
}

/** Finalises the running FNV-1a state of an n-gram into a bucket (the length is mixed in). */
function bucketOf(h: number, len: number): number {
  h ^= Math.imul(len, 0x9e3779b9);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) & (NGRAM_BUCKETS - 1);
}

/** N-grams read the folded text with every character other than [a-z0-9] as a space (positions hold): the code each byte reads as. */
const CODE = new Uint8Array(256);
for (let c = 0; c < 256; c++) CODE[c] = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ? c : 0x20;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface NgramOccurrences {
  /** distinct buckets kept (see the sampling rule below), in order of first occurrence */
  buckets: Uint32Array;
  /** folded offset of each kept bucket's first occurrence, and its n-gram length */
  start: Int32Array;
  length: Uint8Array;
}

const seen = new Uint8Array(NGRAM_BUCKETS);
// scratch space reused between calls (grown on demand): scoring allocates only what it returns
let scratch = { buckets: new Uint32Array(0), start: new Int32Array(0), length: new Uint8Array(0), codes: new Uint8Array(0) };

/**
 * Distinct hashed character n-grams of folded text, in one pass. A long text keeps a sample of
 * about MAX_NGRAMS of them, chosen by hash, not by position: the n-grams with the smallest hashes
 * are kept, so what a long text keeps, a shorter one keeps too. `folded` may be given as its
 * bytes (`FoldedText.bytes`: it is ASCII), which read three times faster than the string's
 * characters (0.03 against 0.10 ms for the seed).
 */
export function collectNgrams(folded: string | Uint8Array): NgramOccurrences {
  const size = folded.length;
  const cap = size * NGRAM_SIZES.length;
  if (scratch.buckets.length < cap) scratch = { buckets: new Uint32Array(cap), start: new Int32Array(cap), length: new Uint8Array(cap), codes: new Uint8Array(size) };
  else if (scratch.codes.length < size) scratch.codes = new Uint8Array(size);
  const { buckets, start, length, codes } = scratch;
  if (typeof folded === 'string') {
    for (let i = 0; i < size; i++) {
      const c = folded.charCodeAt(i);
      codes[i] = c < 0x100 ? CODE[c]! : 0x20;
    }
  } else for (let i = 0; i < size; i++) codes[i] = CODE[folded[i]!]!;
  let n = 0;
  // one FNV-1a pass from i gives the 3-, 4- and 5-gram starting at i (NGRAM_SIZES), unrolled: the
  // loop over lengths cost a third of this function, and a helper for the three repeated blocks
  // measured slower again (2–14 %)
  const writtenFor: readonly [3, 4, 5] = NGRAM_SIZES; // another NGRAM_SIZES fails to compile here
  void writtenFor;
  for (let i = 0; i + 3 <= size; i++) {
    let h = Math.imul(0x811c9dc5 ^ codes[i]!, 0x01000193);
    h = Math.imul(h ^ codes[i + 1]!, 0x01000193);
    h = Math.imul(h ^ codes[i + 2]!, 0x01000193);
    let b = bucketOf(h, 3);
    if (!seen[b]) {
      seen[b] = 1;
      buckets[n] = b;
      start[n] = i;
      length[n] = 3;
      n++;
    }
    if (i + 4 > size) continue;
    h = Math.imul(h ^ codes[i + 3]!, 0x01000193);
    b = bucketOf(h, 4);
    if (!seen[b]) {
      seen[b] = 1;
      buckets[n] = b;
      start[n] = i;
      length[n] = 4;
      n++;
    }
    if (i + 5 > size) continue;
    h = Math.imul(h ^ codes[i + 4]!, 0x01000193);
    b = bucketOf(h, 5);
    if (!seen[b]) {
      seen[b] = 1;
      buckets[n] = b;
      start[n] = i;
      length[n] = 5;
      n++;
    }
  }
  for (let k = 0; k < n; k++) seen[buckets[k]!] = 0;
  if (n <= MAX_NGRAMS) return { buckets: buckets.slice(0, n), start: start.slice(0, n), length: length.slice(0, n) };
  const cut = (MAX_NGRAMS / n) * 0x100000000;
  let m = 0;
  for (let k = 0; k < n; k++) {
    if (mix(buckets[k]!) < cut) {
      buckets[m] = buckets[k]!;
      start[m] = start[k]!;
      length[m] = length[k]!;
      m++;
    }
  }
  return { buckets: buckets.slice(0, m), start: start.slice(0, m), length: length.slice(0, m) };
}

export function ngramBuckets(folded: string | Uint8Array): Uint32Array {
  return Uint32Array.from(collectNgrams(folded).buckets).sort();
}

export function featureVector(
  ruleIds: readonly string[],
  hits: readonly Pick<RuleHit, 'id'>[],
  template: TemplateEvidence,
  folded: string,
  vector: Float32Array | null = null,
): FeatureVector {
  return featureVectorOf(ruleIds, hits, template, ngramBuckets(folded), vector);
}

/** featureVector with the folded text's `ngramBuckets` already computed (training computes them where it analyses). */
export function featureVectorOf(
  ruleIds: readonly string[],
  hits: readonly Pick<RuleHit, 'id'>[],
  template: TemplateEvidence,
  ngrams: Uint32Array,
  vector: Float32Array | null = null,
): FeatureVector {
  const dense = new Float64Array(ruleIds.length + TEMPLATE_FEATURES.length + (vector?.length ?? 0));
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  for (const h of hits) {
    const i = index.get(h.id);
    if (i !== undefined) dense[i] = 1;
  }
  const t = ruleIds.length;
  const regular = template.known === 'regular';
  dense[t] = regular ? 0 : Math.log1p(template.repeats);
  dense[t + 1] = template.known === 'mass' ? 1 : 0;
  if (vector) dense.set(vector, t + TEMPLATE_FEATURES.length);
  return { dense, ngrams, ngramValue: ngrams.length ? 1 / Math.sqrt(ngrams.length) : 0 };
}
