import type RE2 from 're2';
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

/** Where a match begins and where it ends, in folded offsets (which are byte offsets). */
interface Span {
  start: number;
  end: number;
}

/**
 * An anchored try costs about what searching this many bytes does, besides what it reads: a try
 * that fails costs 0.2–0.25 µs, and RE2 searches the shipped rules at about 1.5 ns a byte. Measured
 * over the seed and `data/` with 25, 50, 100, 200 and 400: 25–100 within a few per cent of each
 * other, 200 and 400 slower; the larger of the fast ones keeps the tries' worst case closest to
 * one search.
 */
export const BYTES_PER_TRY = 100;

/**
 * How a rule looks for its next match at or after `from`:
 * - `search`: RE2 searches the text from `from`;
 * - `from-offsets`: RE2 searches from the first offset at or after `from` where one of the rule's
 *   literals begins (every match begins at one, so none begins before it), and past the last one
 *   there is nothing to search. Each search starts where the previous match ended or later, so
 *   the text is read once at most, as by `search`. A rule whose matches contain their literals
 *   within `lead` bytes of their start, rather than begin with them, searches from `lead` bytes
 *   before that offset (but not before `from`): a match at or after `from` contains a literal
 *   at or after `from`, at most `lead` bytes into it;
 * - `at-offsets`: an anchored match is tried at each such offset in turn, and the first that
 *   matches is the leftmost match, the one RE2's search gives. A try reads at most the rule's
 *   longest match, so the matcher takes this way only when all the tries together cannot read more
 *   than searching would.
 */
export type Way = 'search' | 'from-offsets' | 'at-offsets';

/**
 * How a found match is read. RE2's `exec` builds an array and copies the match into a new buffer
 * for every match it finds: about 3 µs a match, where a try that finds nothing costs 0.25 µs.
 * So a match is read with the calls that answer with a number:
 * - where it ends: `test` of the sticky expression at its start, which leaves `lastIndex` at the
 *   end of the match RE2 prefers there (leftmost-first: the one an unanchored search finds when
 *   it finds a match beginning there);
 * - where a search's match begins: `search` over the text from one character before `from`. That
 *   character keeps `\b` and `\B` at `from` as they are in the whole text. A match found on it
 *   (where `^` would also hold, wrongly) begins before `from`, so `exec` from `from` is asked then.
 * `exact` reads every match with `exec`, as a reference (the tests compare the two).
 */
export type Reading = 'fast' | 'exact';

/** The match `re` finds from `from` (at `from` when sticky), read by `exec`. */
function byExec(re: RE2, bytes: Buffer, from: number, out: Span): boolean {
  re.lastIndex = from;
  const m = re.exec(bytes);
  if (!m) return false;
  out.start = m.index;
  out.end = m.index + (m[0] as unknown as Buffer).length;
  return true;
}

/** The end of the match the rule prefers at `start`, or -1 when none begins there. */
function endAt(rule: CompiledRule, bytes: Buffer, start: number): number {
  const re = rule.anchored!;
  re.lastIndex = start;
  return re.test(bytes) ? re.lastIndex : -1;
}

/** The leftmost match at or after `from`: what `exec` with `lastIndex` at `from` gives. */
function searchFrom(rule: CompiledRule, bytes: Buffer, from: number, out: Span, reading: Reading): boolean {
  if (reading === 'exact' || from > bytes.length) return byExec(rule.regex!, bytes, from, out);
  const at = rule.regex!.search(from === 0 ? bytes : bytes.subarray(from - 1));
  if (at === -1) return false;
  if (from > 0 && at === 0) return byExec(rule.regex!, bytes, from, out);
  const start = from === 0 ? at : from - 1 + at;
  const end = endAt(rule, bytes, start);
  if (end === -1) return byExec(rule.regex!, bytes, from, out); // never expected: RE2 found a match there
  out.start = start;
  out.end = end;
  return true;
}

function nextMatch(rule: CompiledRule, bytes: Buffer, from: number, way: Way, starts: number[], lead: number, cursor: { at: number }, out: Span, reading: Reading): boolean {
  if (way === 'search') return searchFrom(rule, bytes, from, out, reading);
  let k = cursor.at;
  while (k < starts.length && starts[k]! < from) k++;
  if (way === 'from-offsets') {
    cursor.at = k;
    if (k === starts.length) return false;
    return searchFrom(rule, bytes, Math.max(from, starts[k]! - lead), out, reading);
  }
  const re = rule.anchored!;
  for (; k < starts.length; k++) {
    const start = starts[k]!;
    if (reading === 'exact') {
      if (!byExec(re, bytes, start, out)) continue;
    } else {
      re.lastIndex = start;
      if (!re.test(bytes)) continue;
      out.start = start;
      out.end = re.lastIndex;
    }
    cursor.at = k + 1;
    return true;
  }
  cursor.at = k;
  return false;
}

function wayFor(rule: CompiledRule, starts: number[] | null, longestRun: number, from: number, length: number, force?: Way): Way {
  if (!starts) return 'search';
  if (!rule.reach) return 'from-offsets';
  if (force) return force;
  const perTry = BYTES_PER_TRY + rule.reach.fixed + rule.reach.perRun * longestRun + 1;
  return starts.length * perTry <= length - from ? 'at-offsets' : 'from-offsets';
}

function matchRule(rule: CompiledRule, text: NormalisedText, starts: number[] | null, longestRun: number, force: Way | undefined, reading: Reading): RuleHit | null {
  if (!rule.regex) return null;
  const bytes = text.bytes;
  if (rule.absent && text.folded.length < rule.min_chars) return null;
  const enough = rule.absent ? 1 : enoughHits(rule, bytes.length);
  let from = rule.skip_lines ? afterLines(text.folded, rule.skip_lines) : 0;
  const way = wayFor(rule, starts, longestRun, from, bytes.length, force);
  const lead = rule.lead ? rule.lead.fixed + rule.lead.perRun * longestRun : 0;
  const cursor = { at: 0 };
  const spans: Array<[number, number]> = [];
  let hits = 0;
  const m: Span = { start: 0, end: 0 };
  while (hits < enough && nextMatch(rule, bytes, from, way, starts ?? [], lead, cursor, m, reading)) {
    const { start, end } = m;
    if (end === start) {
      from = end + 1;
      continue;
    }
    if (rule.notPrecededBy && start > 0 && rule.notPrecededBy.test(text.folded[start - 1]!)) {
      from = start + 1;
      continue;
    }
    from = end;
    if (rule.exclude) {
      rule.exclude.lastIndex = 0;
      if (rule.exclude.test(bytes.subarray(start, end))) continue;
    }
    hits++;
    if (spans.length < MAX_EVIDENCE) spans.push(trimSpan(text.folded, start, end));
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
 * rule look one way, whatever it costs, and `reading` chooses how matches are read (the tests
 * compare the ways and the readings).
 */
export function matchRules(rules: RuleSet, text: NormalisedText, force?: Exclude<Way, 'search'>, reading: Reading = 'fast'): RuleHit[] {
  const out: RuleHit[] = [];
  const { starts, longestRun } = candidateStarts(rules.literalIndex, text.bytes);
  for (let i = 0; i < rules.rules.length; i++) {
    const hit = matchRule(rules.rules[i]!, text, starts[i]!, longestRun, force, reading);
    if (hit) out.push(hit);
  }
  return out;
}
