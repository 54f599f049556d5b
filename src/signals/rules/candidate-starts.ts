import { IS_WORD } from './leading-literals.js';

/**
 * Where the rules' matches can begin, found in one pass over the folded text.
 *
 * A rule is one RE2 search, and a search that finds nothing still reads the whole text (≈ 1.5 ns a
 * byte: 35 µs over a 23 KB e-mail, for each of the rules). Most rules' matches begin with one of a
 * few literals, or contain one near their start (leading-literals.ts). One pass looks for all of
 * those literals at once — a table keyed by three bytes, then the first four bytes compared at
 * once and the rest byte by byte — and gives each rule the offsets where one of its literals
 * begins: a rule none of whose literals occur cannot match, and the others need RE2 only from
 * those offsets (match-rules.ts says how). A rule whose patterns say neither searches the whole
 * text.
 */

/** Literals shorter than this are too common to be worth looking for: their rules search. */
export const MIN_LITERAL = 3;

export interface LiteralIndex {
  /** per rule (file order): true when its matches all begin with one of its literals */
  readonly prefiltered: readonly boolean[];
  /** number of literals; a literal's id indexes the arrays below */
  readonly literalCount: number;
  /** the literals' bytes, back to back; literal i is bytes[starts[i] .. starts[i+1]) */
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  /** the rules (file order) literal i begins: ruleIds[ruleAt[i] .. ruleAt[i+1]) */
  readonly ruleAt: Int32Array;
  readonly ruleIds: Int32Array;
  /** literal ids by the key of their first three bytes: bucketIds[bucketAt[k] .. bucketAt[k+1]) */
  readonly bucketAt: Int32Array;
  readonly bucketIds: Int32Array;
  /** literal i's first four bytes (fewer for a shorter one) as a little-endian number, and which bytes of it count */
  readonly head: Int32Array;
  readonly headMask: Int32Array;
}

/**
 * The key of three bytes: their low five bits each, which tell the letters a–z apart (the folded
 * text is mostly letters); other bytes share keys with letters, and the byte comparison sorts them.
 */
const KEY_BITS = 15;
const KEY_MASK = (1 << KEY_BITS) - 1;
const key3 = (b0: number, b1: number, b2: number) => ((b0 & 31) << 10) | ((b1 & 31) << 5) | (b2 & 31);

/** Prefix sums: item k of `lengths` runs from at[k] to at[k+1]. */
function offsets(lengths: readonly number[]): Int32Array {
  const at = new Int32Array(lengths.length + 1);
  for (let k = 0; k < lengths.length; k++) at[k + 1] = at[k]! + lengths[k]!;
  return at;
}

/** Back to back: lists[k] is flat[at[k] .. at[k+1]). */
function layout(lists: readonly (readonly number[])[]): { at: Int32Array; flat: Int32Array } {
  const at = offsets(lists.map((l) => l.length));
  const flat = new Int32Array(at[lists.length]!);
  lists.forEach((l, k) => flat.set(l, at[k]!));
  return { at, flat };
}

/**
 * Builds the index from each rule's literals. A rule given null, or a literal shorter than
 * MIN_LITERAL, searches the whole text.
 */
export function buildLiteralIndex(ruleLiterals: readonly (readonly string[] | null)[]): LiteralIndex {
  const usable = ruleLiterals.map((l) => (l && l.length && l.every((s) => s.length >= MIN_LITERAL && !/[^\x00-\x7f]/.test(s)) ? l : null));
  const ids = new Map<string, number>();
  const rulesOf: number[][] = [];
  usable.forEach((lits, rule) => {
    for (const lit of lits ?? []) {
      let id = ids.get(lit);
      if (id === undefined) {
        id = ids.size;
        ids.set(lit, id);
        rulesOf.push([]);
      }
      rulesOf[id]!.push(rule);
    }
  });
  const literals = [...ids.keys()];
  const starts = offsets(literals.map((l) => l.length));
  const bytes = new Uint8Array(starts[literals.length]!);
  literals.forEach((l, i) => {
    for (let k = 0; k < l.length; k++) bytes[starts[i]! + k] = l.charCodeAt(k);
  });
  const buckets: number[][] = Array.from({ length: 1 << KEY_BITS }, () => []);
  literals.forEach((l, i) => buckets[key3(l.charCodeAt(0), l.charCodeAt(1), l.charCodeAt(2))]!.push(i));
  const b = layout(buckets);
  const r = layout(rulesOf);
  const head = new Int32Array(literals.length);
  const headMask = new Int32Array(literals.length);
  literals.forEach((l, i) => {
    for (let k = 0; k < Math.min(4, l.length); k++) {
      head[i]! |= l.charCodeAt(k) << (8 * k);
      headMask[i]! |= 0xff << (8 * k);
    }
  });
  return {
    prefiltered: usable.map((l) => l !== null),
    literalCount: literals.length,
    bytes,
    starts,
    ruleAt: r.at,
    ruleIds: r.flat,
    bucketAt: b.at,
    bucketIds: b.flat,
    head,
    headMask,
  };
}

export interface Candidates {
  /** per rule, the ascending offsets where one of its literals begins; null: not prefiltered */
  starts: (number[] | null)[];
  /** the longest run of word characters ([0-9A-Za-z_]) in the text, in bytes */
  longestRun: number;
}

/** Where each rule's literals begin in `text`, the folded text's bytes (ASCII), in one pass. */
export function candidateStarts(index: LiteralIndex, text: Uint8Array): Candidates {
  const out: (number[] | null)[] = index.prefiltered.map((p) => (p ? [] : null));
  const n = text.length;
  let longest = 0;
  let run = 0;
  for (let i = 0; i < Math.min(n, MIN_LITERAL - 1); i++) {
    run = (run + 1) * IS_WORD[text[i]!]!;
    longest = Math.max(longest, run);
  }
  if (n < MIN_LITERAL) return { starts: out, longestRun: longest };
  const { bytes, starts, ruleAt, ruleIds, bucketAt, bucketIds, head, headMask } = index;
  // the key of the three bytes at i, rolled along: five bits enter, the oldest five leave
  let key = ((text[0]! & 31) << 5) | (text[1]! & 31);
  // the four bytes at i as a little-endian number (0 past the end), rolled along: a literal's
  // first four bytes are compared in one go
  let window = text[0]! | (text[1]! << 8) | (text[2]! << 16) | ((n > 3 ? text[3]! : 0) << 24);
  for (let i = 0; i + MIN_LITERAL <= n; i++) {
    const b2 = text[i + 2]!;
    // the run of word characters ending at i + 2, without a branch (a word's end is not predictable)
    run = (run + 1) * IS_WORD[b2]!;
    longest = Math.max(longest, run);
    key = ((key << 5) | (b2 & 31)) & KEY_MASK;
    const lo = bucketAt[key]!;
    const hi = bucketAt[key + 1]!;
    for (let k = lo; k < hi; k++) {
      const id = bucketIds[k]!;
      if ((window & headMask[id]!) !== head[id]!) continue;
      const s = starts[id]!;
      const len = starts[id + 1]! - s;
      if (i + len > n) continue;
      let j = 4;
      while (j < len && text[i + j] === bytes[s + j]) j++;
      if (j < len) continue;
      for (let q = ruleAt[id]!; q < ruleAt[id + 1]!; q++) {
        const list = out[ruleIds[q]!]!;
        // two literals of one rule can begin at one offset ("bez " and "bezplatn")
        if (list.length === 0 || list[list.length - 1] !== i) list.push(i);
      }
    }
    window = (window >>> 8) | ((i + 4 < n ? text[i + 4]! : 0) << 24);
  }
  return { starts: out, longestRun: longest };
}
