import { toOriginalSpan, type NormalisedText } from '../../normalise/normalise.js';
import { candidateStarts } from './candidate-starts.js';
import type { CompiledRule, RuleSet } from './load-rules.js';
import type { Trait } from './schema.js';

export interface Evidence {
  start: number;
  end: number;
  text: string;
}

export interface RuleHit {
  id: string;
  trait: Trait;
  weight: number;
  description: string;
  hits: number;
  evidence: Evidence[];
}

/** Evidence spans kept per rule: enough for a clerk, bounded for hostile input. */
export const MAX_EVIDENCE = 12;
/**
 * How many matches a rule needs counted before its verdict and evidence are settled: every match
 * costs a call into RE2, so counting stops there (`hits` then reads "at least").
 */
function enoughHits(rule: CompiledRule, foldedLength: number): number {
  const density = rule.min_per_1000_chars === undefined ? 0 : Math.ceil((rule.min_per_1000_chars * Math.max(foldedLength, 1000)) / 1000);
  return Math.max(rule.min_hits, density, MAX_EVIDENCE);
}

const isBlank = (c: number) => c === 0x20 || c === 0x0a;

/** Evidence never starts or ends with the white space a pattern needed as a boundary. */
function trimSpan(folded: string, start: number, end: number): [number, number] {
  while (start < end && isBlank(folded.charCodeAt(start))) start++;
  while (end > start && isBlank(folded.charCodeAt(end - 1))) end--;
  return [start, end];
}

/**
 * RE2 runs over the folded text as a byte buffer: the folded text is ASCII, so byte offsets are
 * character offsets, and RE2 skips re-encoding the string and re-counting offsets on every match.
 */
/** Folded offset just past the first `n` non-empty lines (the addressee block a rule may skip). */
export function afterLines(folded: string, n: number): number {
  let at = 0;
  let lines = 0;
  while (lines < n && at < folded.length) {
    const nl = folded.indexOf('\n', at);
    const end = nl === -1 ? folded.length : nl;
    if (folded.slice(at, end).trim()) lines++;
    at = end + 1;
  }
  return Math.min(at, folded.length);
}

type Found = { index: number; 0: Buffer };

/** An anchored try costs RE2 about what searching this many bytes does, besides what it reads. */
export const BYTES_PER_TRY = 200;

/**
 * How a rule looks for its next match at or after `from`:
 * - `search`: RE2 searches the text from `from`;
 * - `from-offsets`: RE2 searches from the first offset at or after `from` where one of the rule's
 *   literals begins (every match begins at one, so none begins before it), and past the last one
 *   there is nothing to search. Each search starts where the previous match ended or later, so
 *   the text is read once at most, as by `search`;
 * - `at-offsets`: an anchored match is tried at each such offset in turn, and the first that
 *   matches is the leftmost match, the one RE2's search gives. A try reads at most the rule's
 *   longest match, so the matcher takes this way only when all the tries together cannot read more
 *   than searching would.
 */
export type Way = 'search' | 'from-offsets' | 'at-offsets';

function nextMatch(rule: CompiledRule, bytes: Buffer, from: number, way: Way, starts: number[], cursor: { at: number }): Found | null {
  if (way === 'search') {
    rule.regex!.lastIndex = from;
    return rule.regex!.exec(bytes) as Found | null;
  }
  let k = cursor.at;
  while (k < starts.length && starts[k]! < from) k++;
  if (way === 'from-offsets') {
    cursor.at = k;
    if (k === starts.length) return null;
    rule.regex!.lastIndex = starts[k]!;
    return rule.regex!.exec(bytes) as Found | null;
  }
  const re = rule.anchored!;
  for (; k < starts.length; k++) {
    re.lastIndex = starts[k]!;
    const m = re.exec(bytes) as Found | null;
    if (m) {
      cursor.at = k + 1;
      return m;
    }
  }
  cursor.at = k;
  return null;
}

function wayFor(rule: CompiledRule, starts: number[] | null, longestRun: number, from: number, length: number, force?: Way): Way {
  if (!starts) return 'search';
  if (!rule.anchored || !rule.reach) return 'from-offsets';
  if (force) return force;
  const perTry = BYTES_PER_TRY + rule.reach.fixed + rule.reach.perRun * longestRun + 1;
  return starts.length * perTry <= length - from ? 'at-offsets' : 'from-offsets';
}

function matchRule(rule: CompiledRule, text: NormalisedText, starts: number[] | null, longestRun: number, force?: Way): RuleHit | null {
  if (!rule.regex) return null;
  const bytes = text.bytes;
  if (rule.absent && text.folded.length < rule.min_chars) return null;
  const enough = rule.absent ? 1 : enoughHits(rule, bytes.length);
  let from = rule.skip_lines ? afterLines(text.folded, rule.skip_lines) : 0;
  const way = wayFor(rule, starts, longestRun, from, bytes.length, force);
  const cursor = { at: 0 };
  const spans: Array<[number, number]> = [];
  let hits = 0;
  let m: Found | null;
  while (hits < enough && (m = nextMatch(rule, bytes, from, way, starts ?? [], cursor)) !== null) {
    const matched = m[0];
    const end = m.index + matched.length;
    if (matched.length === 0) {
      from = end + 1;
      continue;
    }
    if (rule.notPrecededBy && m.index > 0 && rule.notPrecededBy.test(text.folded[m.index - 1]!)) {
      from = m.index + 1;
      continue;
    }
    from = end;
    if (rule.exclude) {
      rule.exclude.lastIndex = 0;
      if (rule.exclude.test(matched)) continue;
    }
    hits++;
    if (spans.length < MAX_EVIDENCE) spans.push(trimSpan(text.folded, m.index, end));
  }
  if (rule.absent) return hits ? null : { id: rule.id, trait: rule.trait, weight: rule.weight, description: rule.description, hits: 1, evidence: [] };
  if (hits < rule.min_hits) return null;
  if (rule.min_per_1000_chars !== undefined) {
    const per1000 = (hits * 1000) / Math.max(text.folded.length, 1000);
    if (per1000 < rule.min_per_1000_chars) return null;
  }
  const evidence = spans.map(([s, e]) => {
    const o = toOriginalSpan(text, s, e);
    return { start: o.start, end: o.end, text: text.original.slice(o.start, o.end) };
  });
  return { id: rule.id, trait: rule.trait, weight: rule.weight, description: rule.description, hits, evidence };
}

/**
 * Runs every rule over the folded text; returns the rules that fired, in file order. A rule whose
 * literals do not occur is not searched (candidate-starts.ts). `force` makes every prefiltered
 * rule look one way, whatever it costs (the tests compare the ways).
 */
export function matchRules(rules: RuleSet, text: NormalisedText, force?: Exclude<Way, 'search'>): RuleHit[] {
  const out: RuleHit[] = [];
  const { starts, longestRun } = candidateStarts(rules.literalIndex, text.bytes);
  for (let i = 0; i < rules.rules.length; i++) {
    const hit = matchRule(rules.rules[i]!, text, starts[i]!, longestRun, force);
    if (hit) out.push(hit);
  }
  return out;
}
