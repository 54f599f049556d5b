import { toOriginalSpan, type NormalisedText } from '../../normalise/normalise.js';
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

function matchRule(rule: CompiledRule, text: NormalisedText): RuleHit | null {
  const re = rule.regex;
  if (!re) return null;
  const bytes = text.bytes;
  if (rule.absent && text.folded.length < rule.min_chars) return null;
  const enough = rule.absent ? 1 : enoughHits(rule, bytes.length);
  re.lastIndex = rule.skip_lines ? afterLines(text.folded, rule.skip_lines) : 0;
  const spans: Array<[number, number]> = [];
  let hits = 0;
  let m: { index: number; 0: Buffer } | null;
  while (hits < enough && (m = re.exec(bytes)) !== null) {
    const matched = m[0];
    const end = m.index + matched.length;
    if (matched.length === 0) {
      re.lastIndex = end + 1;
      continue;
    }
    if (rule.notPrecededBy && m.index > 0 && rule.notPrecededBy.test(text.folded[m.index - 1]!)) {
      re.lastIndex = m.index + 1;
      continue;
    }
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

/** Runs every rule over the folded text; returns the rules that fired, in file order. */
export function matchRules(rules: RuleSet, text: NormalisedText): RuleHit[] {
  const out: RuleHit[] = [];
  for (const rule of rules.rules) {
    const hit = matchRule(rule, text);
    if (hit) out.push(hit);
  }
  return out;
}
