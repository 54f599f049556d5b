/**
 * Near-duplicate fingerprints, as spam filters do it (Rspamd's shingles, Pyzor/Razor digests):
 * word shingles of the folded text → a MinHash signature → LSH band keys for sub-linear candidate
 * look-up → a verified similarity (Jaccard, and containment for a petition inside a longer text).
 *
 * Parameters, chosen from measured similarity distributions (README, "Fingerprints"):
 *   SHINGLE = 2 words, numbers folded to "0" (dates, petition numbers and amounts do not matter).
 *             Two variants of one template, each with its own edits (a tenth of the words
 *             changed, paragraphs reordered, …), keep Jaccard ≥ 0.44 in 99% of pairs with word
 *             pairs, against ≥ 0.26 with word triples; unrelated texts stay under 0.1 with either.
 *   SLOTS   = 256 (one-permutation hashing with densification: one hash per shingle, not 256).
 *   BANDS   = 85 bands of ROWS = 3 slots: a pair with Jaccard 0.44 shares a band with probability
 *             1 − (1 − 0.44³)⁸⁵ ≈ 0.9995, one with 0.3 with ≈ 0.90, an unrelated pair (0.05) ≈ 0.01.
 *   A match is verified at Jaccard ≥ 0.3 (or containment ≥ 0.7, for a petition inside a longer text).
 */
export const SHINGLE = 2;
/** Names the fingerprint scheme; stored fingerprints of another scheme cannot be compared. */
export const SCHEME = 'oph-w2-s256-b85x3';
export const SLOTS = 256;
export const ROWS = 3;
export const BANDS = 85;

export interface Fingerprint {
  /** MinHash signature, SLOTS unsigned 32-bit values */
  signature: Uint32Array;
  /** number of distinct shingles (for containment) */
  shingles: number;
}

const WORD = /[a-z0-9]+/g;

/** 32-bit FNV-1a over a string. */
function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A strong 32-bit mixer (murmur3 finaliser). */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Word tokens of folded text; numbers become "0", one-letter words are dropped. */
export function tokens(folded: string): string[] {
  const out: string[] = [];
  for (const m of folded.matchAll(WORD)) {
    const w = m[0];
    if (w.length < 2 && !/\d/.test(w)) continue;
    out.push(/^\d+$/.test(w) ? '0' : w);
  }
  return out;
}

const FNV_ZERO = fnv1a('0');

/**
 * fnv1a of each of `tokens(folded)`, in one pass over the character codes (no regular expression,
 * no string per word): the same values, for the folded text's ASCII words.
 */
export function wordHashes(folded: string): number[] {
  const out: number[] = [];
  const n = folded.length;
  let i = 0;
  while (i < n) {
    let c = folded.charCodeAt(i);
    const letter = c >= 0x61 && c <= 0x7a;
    const digit = c >= 0x30 && c <= 0x39;
    if (!letter && !digit) {
      i++;
      continue;
    }
    const start = i;
    let h = 0x811c9dc5;
    let digits = 0;
    for (; i < n; i++) {
      c = folded.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) digits++;
      else if (!(c >= 0x61 && c <= 0x7a)) break;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const len = i - start;
    if (len < 2 && digits === 0) continue;
    out.push(digits === len ? FNV_ZERO : h >>> 0);
  }
  return out;
}

/**
 * The distinct shingle hashes of folded text, in order of first occurrence. Kept distinct by an
 * open-addressing table of typed arrays (a `Set` of numbers cost 0.2 ms over the 23 KB seed).
 */
export function shingleHashes(folded: string, k = SHINGLE): Uint32Array {
  const words = wordHashes(folded);
  if (words.length > 0 && words.length < k) return Uint32Array.of(mix(words.reduce((a, w) => Math.imul(a ^ w, 0x01000193), 0)));
  const count = Math.max(0, words.length - k + 1);
  const out = new Uint32Array(count);
  if (count === 0) return out;
  let size = 16;
  while (size < count * 2) size <<= 1;
  const mask = size - 1;
  const table = new Uint32Array(size);
  const used = new Uint8Array(size);
  let n = 0;
  for (let i = 0; i < count; i++) {
    let h = 0x9747b28c;
    for (let j = 0; j < k; j++) h = mix(h ^ words[i + j]!);
    // the hash is already mixed: its low bits choose the place, and the next free one follows
    let at = h & mask;
    while (used[at] && table[at] !== h) at = (at + 1) & mask;
    if (used[at]) continue;
    used[at] = 1;
    table[at] = h;
    out[n++] = h;
  }
  return out.subarray(0, n);
}

const EMPTY = 0xffffffff;

/** One-permutation MinHash with rotation densification (Shrivastava & Li, 2014). */
export function minhash(hashes: Uint32Array): Fingerprint {
  const sig = new Uint32Array(SLOTS).fill(EMPTY);
  const filled = new Uint8Array(SLOTS);
  for (let i = 0; i < hashes.length; i++) {
    const h = mix(hashes[i]!);
    const slot = h & (SLOTS - 1);
    const v = h >>> 8; // the bits not used to choose the slot
    if (!filled[slot] || v < sig[slot]!) {
      sig[slot] = v;
      filled[slot] = 1;
    }
  }
  if (hashes.length > 0) {
    for (let s = 0; s < SLOTS; s++) {
      if (filled[s]) continue;
      // take the next filled slot to the right, salted with the distance, so empty slots agree
      // between two documents exactly when their donors do
      for (let d = 1; d < SLOTS; d++) {
        const donor = (s + d) & (SLOTS - 1);
        if (filled[donor]) {
          sig[s] = mix(sig[donor]! ^ Math.imul(d, 0x9e3779b9)) >>> 8;
          break;
        }
      }
    }
  }
  return { signature: sig, shingles: hashes.length };
}

export function fingerprint(folded: string): Fingerprint {
  return minhash(shingleHashes(folded));
}

/** Estimated Jaccard similarity: the share of equal slots. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < SLOTS; i++) if (a[i] === b[i]) same++;
  return same / SLOTS;
}

/**
 * Estimated containment of the smaller shingle set in the larger: |A∩B| / min(|A|, |B|), from
 * the Jaccard estimate and the set sizes (|A∩B| = J·(|A|+|B|)/(1+J)).
 */
export function containment(j: number, sizeA: number, sizeB: number): number {
  const small = Math.min(sizeA, sizeB);
  if (small === 0) return 0;
  return Math.min(1, (j * (sizeA + sizeB)) / (1 + j) / small);
}

export interface Similarity {
  jaccard: number;
  containment: number;
  /** the figure the match decision and the reason use: the larger of the two */
  similarity: number;
}

export function compare(a: Fingerprint, b: Fingerprint): Similarity {
  const j = jaccard(a.signature, b.signature);
  const c = containment(j, a.shingles, b.shingles);
  return { jaccard: j, containment: c, similarity: Math.max(j, c) };
}

/** Shorter texts than this have too few shingles for a reliable match. */
export const MIN_SHINGLES = 25;
/** A verified near-duplicate: Jaccard at least this, or… */
export const MATCH_JACCARD = 0.3;
/** …containment at least this, with the smaller text of at least MIN_SHINGLES shingles… */
export const MATCH_CONTAINMENT = 0.7;
/** …and a Jaccard estimate of at least this (a large text contains a few shingles of anything). */
export const CONTAINED_MIN_JACCARD = 0.1;

export function isNearDuplicate(a: Fingerprint, b: Fingerprint, s: Similarity = compare(a, b)): boolean {
  if (Math.min(a.shingles, b.shingles) < MIN_SHINGLES) return false;
  return s.jaccard >= MATCH_JACCARD || (s.containment >= MATCH_CONTAINMENT && s.jaccard >= CONTAINED_MIN_JACCARD);
}

/**
 * The fewest equal slots that make `isNearDuplicate(a, b)` true (SLOTS + 1 when none does). The
 * decision only grows with the number of equal slots, so it is found by bisection, asking
 * isNearDuplicate itself with the similarity that many equal slots give.
 */
export function slotsNeeded(a: Fingerprint, b: Fingerprint): number {
  const decide = (same: number) => {
    const j = same / SLOTS;
    const c = containment(j, a.shingles, b.shingles);
    return isNearDuplicate(a, b, { jaccard: j, containment: c, similarity: Math.max(j, c) });
  };
  let lo = 0;
  let hi = SLOTS;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (decide(mid)) hi = mid;
    else lo = mid + 1;
  }
  return decide(lo) ? lo : SLOTS + 1;
}

/**
 * isNearDuplicate(a, b), comparing slots only until the answer is known: a copy of a template is
 * accepted once enough slots agree, an unrelated text rejected once too few are left to agree.
 * For batch work comparing each text with many candidates (training's template simulation).
 */
export function isNearDuplicateEarly(a: Fingerprint, b: Fingerprint): boolean {
  const need = slotsNeeded(a, b);
  if (need > SLOTS) return false;
  if (need === 0) return true;
  const x = a.signature;
  const y = b.signature;
  let same = 0;
  for (let i = 0; i < SLOTS; i++) {
    if (x[i] === y[i]) {
      if (++same >= need) return true;
    } else if (same + SLOTS - 1 - i < need) return false;
  }
  return false;
}

/**
 * The standard error of the Jaccard estimate at the match threshold for a text of this many
 * shingles: a short text fills few of the SLOTS with its own values (the rest are copied from
 * neighbours by densification), so its estimate rests on fewer independent samples —
 * ≈ SLOTS·(1 − e^(−n/SLOTS)) of them.
 */
export function estimateError(shingles: number): number {
  const samples = SLOTS * (1 - Math.exp(-Math.max(1, shingles) / SLOTS));
  return Math.sqrt((MATCH_JACCARD * (1 - MATCH_JACCARD)) / samples);
}

/** The standard error of a text that fills every slot with its own values. */
const LONG_TEXT_ERROR = estimateError(Number.MAX_SAFE_INTEGER);

/**
 * isNearDuplicate for a comparison repeated against a very large store (the clearinghouse: one
 * report against a million others): the thresholds rise by the extra standard error a short text's
 * estimate carries over a long text's. Drawn a million times, that noise alone made unrelated
 * 45–70-shingle petitions "near-duplicates" (true Jaccard 0.17–0.24 estimated 0.30–0.36). Two
 * copies of one text still match, since their true similarity is far above the threshold.
 */
export function isNearDuplicateAtScale(a: Fingerprint, b: Fingerprint, s: Similarity = compare(a, b)): boolean {
  if (!isNearDuplicate(a, b, s)) return false;
  const margin = estimateError(Math.min(a.shingles, b.shingles)) - LONG_TEXT_ERROR;
  return s.jaccard >= MATCH_JACCARD + margin || (s.containment >= MATCH_CONTAINMENT && s.jaccard >= CONTAINED_MIN_JACCARD + margin);
}

/**
 * The weaker bar a look-up's text must clear against each of two copies of one text to count as a
 * shortened copy of it (clusters.ts, verifiedClusters): at least CONTAINED_IN_TWO of its shingles
 * in the copy, by estimate, and a Jaccard estimate of CONTAINED_MIN_JACCARD, as isNearDuplicate
 * asks of containment (without isNearDuplicateAtScale's short-text margin: two copies of one text
 * agreeing is what stands in for it). An office's published excerpt of a campaign lies inside
 * every office's copy, but each office's own edits (a tenth of the words, its addressee and date)
 * leave it truly contained in any one copy at 0.56 (p1), 0.67 (p10), 0.82 (p50), in the bench's
 * generated campaigns; one copy at 0.7 missed one excerpt in nine there.
 */
export const CONTAINED_IN_TWO = 0.5;

/**
 * Whether `b` contains `a` (the look-up's text) by that bar. The estimate is of the smaller text
 * inside the larger, so `a` must be the smaller: an excerpt is shorter than the copies holding it.
 * Asked both ways, a long resident's petition "matched" texts made of short residents' petitions
 * it shares common wording with (in the bench at 1 M reports, 4 of 10 000 at two or more offices).
 */
export function isContained(a: Fingerprint, b: Fingerprint, s: Similarity = compare(a, b)): boolean {
  if (a.shingles < MIN_SHINGLES || a.shingles > b.shingles) return false;
  return s.containment >= CONTAINED_IN_TWO && s.jaccard >= CONTAINED_MIN_JACCARD;
}

/** A band key is its band times BAND_SPAN plus the band's 32-bit hash, so keys of one band sort together. */
const BAND_SPAN = 0x100000000;

/**
 * LSH band keys: band b hashes slots [b·ROWS, (b+1)·ROWS). A key is a safe integer
 * (band · 2³² + hash), so it can be stored in an INTEGER column of SQLite or PostgreSQL (bigint).
 */
export function bandKeys(sig: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = 0x2545f491 ^ b;
    for (let r = 0; r < ROWS; r++) h = mix(h ^ sig[b * ROWS + r]!);
    keys.push(b * BAND_SPAN + h);
  }
  return keys;
}

/** The band a band key belongs to. */
export const bandOf = (key: number) => Math.floor(key / BAND_SPAN);

export function signatureToBuffer(sig: Uint32Array): Buffer {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
}

export function signatureFromBuffer(buf: Uint8Array): Uint32Array {
  if (buf.byteLength !== SLOTS * 4) throw new Error(`signature has ${buf.byteLength} bytes, expected ${SLOTS * 4}`);
  const copy = new Uint8Array(buf);
  return new Uint32Array(copy.buffer, 0, SLOTS);
}
