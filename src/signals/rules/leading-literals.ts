import { RegExpParser, type AST } from '@eslint-community/regexpp';

/**
 * The literals every match of a pattern begins with, when the pattern says so: `(?:dotacj|grant)\w*`
 * begins with "dotacj" or "grant", `\bnasz\w*` with "nasz". A rule whose every match begins with
 * one of a few literals needs RE2 only where they occur (see candidate-starts.ts), the way
 * Hyperscan and RE2's own FilteredRE2 look for literals first.
 *
 * Sound or nothing: `null` whenever the pattern could begin otherwise (a leading `\w`, a large
 * class, an optional part followed by anything unknown) or uses syntax outside the plain subset
 * (look-arounds, back-references, flag groups). The pattern is parsed as an ECMAScript 2024 regular
 * expression without the `u` flag: RE2's syntax for what the rules use (groups, classes, escapes,
 * counted repetition, `\b`, `^`, `$`) reads the same there; anything it does not, gives `null`.
 */

/** At most this many literals per pattern; more and the prefilter would cost what it saves. */
const MAX_LITERALS = 128;
/** Literals are not grown past this length: long enough to be rare. */
const ENOUGH_LENGTH = 8;
/** A class of at most this many characters is spelt out (ten: the digits). */
const MAX_CLASS = 10;

/**
 * What a node's matches begin with: each match begins with one of the strings; a string marked
 * `whole` is a match entire (what follows the node may extend it), the others only its beginning.
 */
type Prefix = { s: string; whole: boolean };
type Prefixes = Prefix[];

const EMPTY: Prefixes = [{ s: '', whole: true }];

function dedupe(list: Prefixes): Prefixes {
  const seen = new Map<string, Prefix>();
  for (const p of list) {
    const had = seen.get(p.s);
    // the same string once whole and once a beginning: only "a beginning" is true of both
    if (!had || (had.whole && !p.whole)) seen.set(p.s, p);
  }
  return [...seen.values()];
}

/** What `a` then `b` begin with; null when there would be too many. */
function cross(a: Prefixes, b: Prefixes): Prefixes | null {
  const out: Prefixes = [];
  for (const x of a) {
    if (!x.whole || x.s.length >= ENOUGH_LENGTH) out.push({ s: x.s, whole: false });
    else for (const y of b) out.push({ s: x.s + y.s, whole: y.whole });
    if (out.length > MAX_LITERALS) return null;
  }
  return dedupe(out);
}

/** Nothing is known of what follows: every string is only a beginning. */
const cut = (a: Prefixes): Prefixes => dedupe(a.map((p) => ({ s: p.s, whole: false })));

function ofAlternatives(alternatives: AST.Alternative[]): Prefixes | null {
  const out: Prefixes = [];
  for (const alt of alternatives) {
    const p = ofSequence(alt.elements);
    if (!p) return null;
    out.push(...p);
  }
  const d = dedupe(out);
  return d.length > MAX_LITERALS ? null : d;
}

function ofSequence(elements: AST.Element[]): Prefixes | null {
  let acc = EMPTY;
  for (const el of elements) {
    if (acc.every((p) => !p.whole || p.s.length >= ENOUGH_LENGTH)) return cut(acc);
    const p = ofElement(el);
    // what follows is unknown: the strings so far still begin every match (an empty one, anything)
    if (!p) return cut(acc);
    const next = cross(acc, p);
    if (!next) return cut(acc);
    acc = next;
  }
  return acc;
}

/**
 * Escapes both dialects read alike. A letter or digit escape ECMAScript reads as the letter itself
 * can mean something else to RE2 (`\A`, `\z`, `\pL`, `\Q…\E`, `\C`): those give up.
 */
function plainEscape(raw: string): boolean {
  if (raw[0] !== '\\' || !/^\\[A-Za-z0-9]/.test(raw)) return true;
  return /^\\(?:[tnrfv]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})$/.test(raw);
}

function classChars(node: AST.CharacterClass): string[] | null {
  // RE2's POSIX classes ("[[:alpha:]]") read as a plain class to ECMAScript
  if (node.negate || node.unicodeSets || node.raw.includes('[:')) return null;
  const chars: string[] = [];
  for (const el of node.elements) {
    if (el.type === 'Character') {
      if (!plainEscape(el.raw)) return null;
      chars.push(String.fromCharCode(el.value));
    } else if (el.type === 'CharacterClassRange') {
      if (!plainEscape(el.min.raw) || !plainEscape(el.max.raw)) return null;
      if (el.max.value - el.min.value + 1 > MAX_CLASS) return null;
      for (let c = el.min.value; c <= el.max.value; c++) chars.push(String.fromCharCode(c));
    } else return null;
    if (chars.length > MAX_CLASS) return null;
  }
  return chars.length ? [...new Set(chars)] : null;
}

const chars = (cs: string): Prefixes => [...cs].map((c) => ({ s: c, whole: true }));

function ofElement(el: AST.Element): Prefixes | null {
  switch (el.type) {
    case 'Character':
      return plainEscape(el.raw) ? chars(String.fromCharCode(el.value)) : null;
    case 'CharacterClass': {
      const cs = classChars(el);
      return cs ? chars(cs.join('')) : null;
    }
    case 'CharacterSet':
      // RE2's own meaning (ASCII, Perl classes): \d is [0-9], \s is [\t\n\f\r ]
      if (el.kind === 'digit' && !el.negate) return chars('0123456789');
      if (el.kind === 'space' && !el.negate) return chars('\t\n\f\r ');
      return null;
    case 'Assertion':
      // \b, \B, ^ and $ take no characters; look-arounds are not RE2's
      return el.kind === 'word' || el.kind === 'start' || el.kind === 'end' ? EMPTY : null;
    case 'Group':
    case 'CapturingGroup':
      return ofAlternatives(el.alternatives);
    case 'Quantifier': {
      const inner = ofElement(el.element);
      if (!inner) return null;
      if (el.min === 1 && el.max === 1) return inner;
      // once: the inner strings as they are; more: they begin the first repetition only
      const once = el.max === 1 ? inner : cut(inner);
      return el.min === 0 ? dedupe([...EMPTY, ...once]) : once;
    }
    default:
      // \w, ".", back-references, anything else: could begin with too much to list
      return null;
  }
}

/**
 * How long a match can be: at most `fixed + perRun × R` bytes in a text whose longest run of word
 * characters ([0-9A-Za-z_]) is R bytes; null when a match can be longer than any such bound (a
 * repeated group that is not one word character, `.*`). An anchored try of the pattern reads at
 * most one byte past that, which is what lets the matcher bound the work of trying many offsets.
 */
export interface LengthBound {
  fixed: number;
  perRun: number;
}

/** RE2's word characters (`\w`, ASCII): a byte is one when `IS_WORD[byte]` is 1. */
export const IS_WORD = new Uint8Array(256);
for (const c of '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_') IS_WORD[c.charCodeAt(0)] = 1;
const isWord = (code: number) => code < 256 && IS_WORD[code] === 1;

/** The node matches one character, and only word characters. */
function oneWordChar(el: AST.Node): boolean {
  if (el.type === 'CharacterSet') return (el.kind === 'word' || el.kind === 'digit') && !el.negate;
  if (el.type === 'Character') return plainEscape(el.raw) && isWord(el.value);
  if (el.type === 'CharacterClass') {
    if (el.negate || el.unicodeSets || el.raw.includes('[:')) return false;
    return el.elements.every((e) =>
      e.type === 'Character'
        ? plainEscape(e.raw) && isWord(e.value)
        : e.type === 'CharacterClassRange'
          ? plainEscape(e.min.raw) && plainEscape(e.max.raw) && [...Array(e.max.value - e.min.value + 1)].every((_, k) => isWord(e.min.value + k))
          : e.type === 'CharacterSet' && (e.kind === 'word' || e.kind === 'digit') && !e.negate,
    );
  }
  return false;
}

const add = (a: LengthBound, b: LengthBound): LengthBound => ({ fixed: a.fixed + b.fixed, perRun: a.perRun + b.perRun });
const times = (a: LengthBound, n: number): LengthBound => ({ fixed: a.fixed * n, perRun: a.perRun * n });
const most = (a: LengthBound, b: LengthBound): LengthBound => ({ fixed: Math.max(a.fixed, b.fixed), perRun: Math.max(a.perRun, b.perRun) });

/** The nodes' bounds joined (`add`: one after another; `most`: one of them), or null. */
function boundOfAll(nodes: readonly (AST.Element | AST.Alternative)[], join: (a: LengthBound, b: LengthBound) => LengthBound): LengthBound | null {
  let acc: LengthBound = { fixed: 0, perRun: 0 };
  for (const n of nodes) {
    const b = boundOf(n);
    if (!b) return null;
    acc = join(acc, b);
  }
  return acc;
}

function boundOf(el: AST.Element | AST.Alternative): LengthBound | null {
  switch (el.type) {
    case 'Alternative':
      return boundOfAll(el.elements, add);
    case 'Character':
      return plainEscape(el.raw) ? { fixed: 1, perRun: 0 } : null;
    case 'CharacterClass':
      return el.unicodeSets || el.raw.includes('[:') ? null : { fixed: 1, perRun: 0 };
    case 'CharacterSet':
      return el.kind === 'property' ? null : { fixed: 1, perRun: 0 };
    case 'Assertion':
      return el.kind === 'word' || el.kind === 'start' || el.kind === 'end' ? { fixed: 0, perRun: 0 } : null;
    case 'Group':
    case 'CapturingGroup':
      return boundOfAll(el.alternatives, most);
    case 'Quantifier': {
      if (el.max === Infinity) return oneWordChar(el.element) ? { fixed: 0, perRun: 1 } : null;
      const inner = boundOf(el.element);
      return inner ? times(inner, el.max) : null;
    }
    default:
      return null;
  }
}

/** The pattern as ECMAScript 2024 reads it without the `u` flag, or null when it cannot. */
function parse(source: string): AST.Pattern | null {
  try {
    return new RegExpParser({ ecmaVersion: 2024 }).parsePattern(source, 0, source.length, { unicode: false, unicodeSets: false });
  } catch {
    return null;
  }
}

/** The bound on the length of a match of `source` (LengthBound), or null when there is none. */
export function lengthBound(source: string): LengthBound | null {
  const pattern = parse(source);
  return pattern ? boundOfAll(pattern.alternatives, most) : null;
}

/**
 * The literals every match of `source` begins with, each non-empty and ASCII (the folded text is
 * ASCII, so a byte comparison decides), or null when the pattern does not let us say.
 */
export function leadingLiterals(source: string): string[] | null {
  const pattern = parse(source);
  const p = pattern ? ofAlternatives(pattern.alternatives) : null;
  if (!p || p.length === 0) return null;
  const strings = p.map((x) => x.s);
  if (strings.some((s) => s.length === 0 || /[^\x00-\x7f]/.test(s))) return null;
  return shortestFirst(strings);
}

/**
 * Literals every match contains, each beginning at most `lead` bytes after the match begins, for a
 * pattern whose matches do not begin with literals of their own: `(?:https?:\/\/)?(?:www\.)?
 * (?:domena\.pl|sklep\.pl)` contains "domena.pl" or "sklep.pl" within 12 bytes of its start,
 * `\b\d{2,5} podpis\w*` contains " podpis" within 5. A match then begins at most `lead` bytes
 * before an offset where one of them occurs, so a search needs to start no earlier than that
 * (match-rules.ts), and there is nothing to search past the last one. Only literals of at least
 * `minLength` bytes are chosen (shorter ones are too common to be worth it).
 */
export interface InnerLiterals {
  literals: string[];
  lead: LengthBound;
}

/** The first place in `elements`, from the left, from which every match of the rest begins with long-enough literals. */
function innerOfSequence(elements: readonly AST.Element[], minLength: number): InnerLiterals | null {
  let lead: LengthBound = { fixed: 0, perRun: 0 };
  for (let i = 0; i < elements.length; i++) {
    const rest = ofSequence(elements.slice(i));
    if (rest && rest.length && rest.every((p) => p.s.length >= minLength)) return { literals: rest.map((p) => p.s), lead };
    const el = elements[i]!;
    // a group every match passes through: the literals inside it, after what comes before it
    if ((el.type === 'Group' || el.type === 'CapturingGroup') && el.alternatives.length) {
      const inside = innerOfAlternatives(el.alternatives, minLength);
      if (inside) return { literals: inside.literals, lead: add(lead, inside.lead) };
    }
    const b = boundOf(el);
    if (!b) return null;
    lead = add(lead, b);
  }
  return null;
}

/** One inner literal set for each alternative, joined: every match contains one of them, within the largest lead. */
function innerOfAlternatives(alternatives: readonly AST.Alternative[], minLength: number): InnerLiterals | null {
  const literals: string[] = [];
  let lead: LengthBound = { fixed: 0, perRun: 0 };
  for (const alt of alternatives) {
    const inner = innerOfSequence(alt.elements, minLength);
    if (!inner) return null;
    literals.push(...inner.literals);
    lead = most(lead, inner.lead);
    if (literals.length > MAX_LITERALS) return null;
  }
  return { literals, lead };
}

/** The inner literals of `source` (InnerLiterals), ASCII and at least `minLength` bytes each, or null. */
export function innerLiterals(source: string, minLength: number): InnerLiterals | null {
  const pattern = parse(source);
  const found = pattern ? innerOfAlternatives(pattern.alternatives, minLength) : null;
  if (!found || found.literals.some((s) => /[^\x00-\x7f]/.test(s))) return null;
  return { literals: shortestFirst(found.literals), lead: found.lead };
}

/** The literals, without any that begins with another (where it occurs, the shorter one does too). */
function shortestFirst(strings: readonly string[]): string[] {
  const sorted = [...new Set(strings)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const s of sorted) if (!kept.some((k) => s.startsWith(k))) kept.push(s);
  return kept;
}
