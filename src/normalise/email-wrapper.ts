import type { Range } from './fold.js';

/**
 * Recognises what e-mail intake wraps around a petition: mail headers, the registry stamp
 * ("Data wpływu", "Nr", "Przyjęła"), external-sender warning banners, print footers, forwarding
 * separators, attachment lists and quoted replies. The ranges found are left out of the folded text,
 * so the wrapper neither raises nor lowers a score.
 *
 * Every expression here is anchored to one line and bounded, so detection is linear in the text.
 */

export interface WrapperRange extends Range {
  kind: 'header' | 'banner' | 'footer' | 'separator' | 'attachment' | 'quote';
}

/** Header keys that only ever appear in a mail header or a registry stamp. */
const CERTAIN_KEYS =
  'data wp[łl]ywu|przyj[ęe][łl]a|przyj[ąa][łl]|za[łl][ąa]cznik[óo]w|liczba za[łl][ąa]cznik[óo]w|wys[łl]ano|temat|dw|udw|from|subject|sent|cc|nadawca|odbiorca|znak sprawy kancelarii';
/** Keys that also begin lines of a petition ("Do: Rada Gminy"): a header only beside a certain one or with an address. */
const AMBIGUOUS_KEYS = 'od|do|data|nr|to|date';

const HEADER_LINE = new RegExp(
  `^[^\\p{L}\\p{N}\\n]{0,6}(${CERTAIN_KEYS}|${AMBIGUOUS_KEYS})[ \\t]*:[^\\n]{0,400}$`,
  'gimu',
);
const CERTAIN_KEY = new RegExp(`^(?:${CERTAIN_KEYS})$`, 'iu');
const EMAIL_ADDRESS = /[^\s@<>()]{1,64}@[^\s@<>()]{1,255}\.[a-z]{2,24}/iu;
const DATE_TIME = /\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}/u;

/**
 * [expression, kind, a literal the text (lower-cased) must contain for the expression to be tried,
 * whether the expression is anchored to a line (^ … $ in multiline mode, never across a line break)
 * and its literal in every match: then it is tried only at the lines holding the literal]
 */
const PATTERNS: ReadonlyArray<[RegExp, WrapperRange['kind'], string, ('line' | undefined)?]> = [
  // "**** OSTRZEŻENIE ****" banners and their sentence
  // (a run of stars is tried from its first star only: from every star it would be quadratic)
  [/(?<!\*)\*{2,}[ \t]{0,3}(?:ostrze[żz]enie|uwaga|warning|caution)[ \t]{0,3}\*{2,}/giu, 'banner', '**'],
  [/(?:ten e-?mail|ta wiadomo[śs][ćc]|wiadomo[śs][ćc] e-?mail) (?:pochodzi|zosta[łl]a wys[łl]ana) (?:spoza|z zewn[ąa]trz)[^\n]{0,600}/giu, 'banner', 'pochodzi'],
  [/this (?:e-?mail|message) (?:originated|came) from outside[^\n]{0,600}/giu, 'banner', 'outside'],
  [/nie klikaj (?:w )?(?:link[óo]w|[łl][ąa]czy)[^\n]{0,400}/giu, 'banner', 'klikaj'],
  // print and environment footers
  [/czy na pewno musisz drukowa[ćc][^\n]{0,200}/giu, 'footer', 'drukowa'],
  [/pomy[śs]l o [śs]rodowisku[^\n]{0,200}/giu, 'footer', 'rodowisku'],
  [/please consider the environment[^\n]{0,200}/giu, 'footer', 'environment'],
  // forwarding separators
  [/^[ \t]*-{2,}[ \t]*(?:tre[śs][ćc] przekazanej wiadomo[śs]ci|wiadomo[śs][ćc] (?:oryginalna|przekazana)|original message|forwarded message)[ \t]*-*[ \t]*$/gimu, 'separator', '--', 'line'],
  // a sender line as Outlook prints it: "Name @ Firm <a@b.pl>"
  [/^[^\n<>]{1,80}<[^\s@<>]{1,64}@[^\s<>]{1,255}>[ \t]*$/gmu, 'header', '@', 'line'],
  // a date line as Outlook prints it: "Pn, 06.05.2024 08:18"
  [/^[ \t]*(?:pn|wt|[śs]r|cz|pt|so|nd|pon|wto|[śs]ro|czw|pi[ąa]|sob|nie|mon|tue|wed|thu|fri|sat|sun)[a-ząćęłńóśźż]{0,10},?[ \t]+\d{1,2}[./ ]\d{1,2}[./ ]\d{2,4},?[ \t]+\d{1,2}:\d{2}[^\n]{0,20}$/gimu, 'header', ':', 'line'],
  // attachment file names on their own line
  [/^[ \t]*[^\s/\\]{1,200}\.(?:pdf|docx?|odt|rtf|jpe?g|png|zip|xml|xades|sig|p7s)[;,]?[ \t]*$/gimu, 'attachment', '.', 'line'],
];

const QUOTE_LINE = /^[ \t]{0,3}>[^\n]{0,100000}$/gmu;

/** Header and quote lines, each with the literal every match holds (lineAnchored tries them where it occurs). */
const HEADER: readonly [RegExp, string] = [HEADER_LINE, ':'];
const QUOTE: readonly [RegExp, string] = [QUOTE_LINE, '>'];

/** The line-anchored expressions and the literal each match holds, as findWrapper tries them (exported for its test). */
export const LINE_EXPRESSIONS: ReadonlyArray<readonly [RegExp, string]> = [
  HEADER,
  ...PATTERNS.filter((p) => p[3] === 'line').map(([re, , literal]): [RegExp, string] => [re, literal]),
  QUOTE,
];

const stickyCopies = new Map<RegExp, RegExp>();

/** Where `^` matches in multiline mode: the start, and after each line terminator. */
const startsLine = (text: string, i: number) => {
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
};

/** Whether a "\r", U+2028 or U+2029 begins a line inside a "\n"-line (a "\r" right before "\n" begins none there). */
const hasOtherBreaks = (text: string) => /[\r\u2028\u2029][^\n]/.test(text);

/**
 * What `text.matchAll(re)` gives, for an expression anchored to a line (`^` in multiline mode) that
 * never matches across "\n" and whose every match holds `literal`: only the "\n"-lines holding the
 * literal are tried, each at the positions where `^` can match (its start, and after a "\r",
 * U+2028 or U+2029 inside it), anchored. A line without a match there is passed over whole. The
 * same matches in the same order: a match begins where `^` does, holds the literal, and ends on
 * its line (test/email-wrapper-lines.test.ts holds it to matchAll). Searching tried `^` at every
 * character of the text.
 */
export function* lineAnchored(text: string, re: RegExp, literal: string, otherBreaks = hasOtherBreaks(text)): Generator<RegExpExecArray> {
  let sticky = stickyCopies.get(re);
  if (!sticky) stickyCopies.set(re, (sticky = new RegExp(re.source, re.flags.replace('g', '') + 'y')));
  let from = 0; // matchAll's lastIndex
  for (;;) {
    const at = text.indexOf(literal, from);
    if (at === -1) return;
    const lineEnd = text.indexOf('\n', at);
    const end = lineEnd === -1 ? text.length : lineEnd;
    const start = at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
    let m: RegExpExecArray | null = null;
    if (!otherBreaks) {
      if (start >= from) {
        sticky.lastIndex = start;
        m = sticky.exec(text);
      }
    } else {
      for (let s = Math.max(from, start); s < end; s++) {
        if (!startsLine(text, s)) continue;
        sticky.lastIndex = s;
        if ((m = sticky.exec(text))) break;
      }
    }
    if (!m) {
      from = end; // no match begins on this line at or after `from`
      continue;
    }
    yield m;
    from = m.index + Math.max(1, m[0].length);
  }
}

function mergeRanges(ranges: WrapperRange[]): WrapperRange[] {
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: WrapperRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ ...r });
  }
  return out;
}

function headerRanges(text: string, otherBreaks: boolean): WrapperRange[] {
  const lines: Array<{ start: number; end: number; certain: boolean; line: number; value: string }> = [];
  const starts = lineStarts(text);
  for (const m of lineAnchored(text, ...HEADER, otherBreaks)) {
    const start = m.index;
    const key = m[1]!;
    const value = m[0].slice(m[0].indexOf(':') + 1);
    const line = lineNumberAt(starts, start);
    lines.push({ start, end: start + m[0].length, certain: CERTAIN_KEY.test(key), line, value });
  }
  // the line numbers of certain header lines, so "a certain one within two lines" is a set lookup
  // (scanning every header line for every header line was quadratic in hostile input)
  const certainLines = new Set<number>();
  for (const h of lines) if (h.certain) certainLines.add(h.line);
  const out: WrapperRange[] = [];
  for (const h of lines) {
    let nearCertain = false;
    for (let d = -2; d <= 2 && !nearCertain; d++) nearCertain = certainLines.has(h.line + d);
    const addressed = EMAIL_ADDRESS.test(h.value) || (DATE_TIME.test(h.value) && h.value.length < 60);
    if (h.certain || nearCertain || addressed) out.push({ start: h.start, end: h.end, kind: 'header' });
  }
  return out;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line of `index`, by binary search over the line starts. */
function lineNumberAt(starts: readonly number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The wrapper ranges of `text`, sorted and merged. */
export function findWrapper(text: string): WrapperRange[] {
  const otherBreaks = hasOtherBreaks(text);
  const found: WrapperRange[] = text.includes(':') ? headerRanges(text, otherBreaks) : [];
  const lower = text.toLowerCase();
  for (const [re, kind, guard, anchored] of PATTERNS) {
    if (anchored) {
      for (const m of lineAnchored(text, re, guard, otherBreaks)) found.push({ start: m.index, end: m.index + m[0].length, kind });
      continue;
    }
    if (!lower.includes(guard)) continue;
    for (const m of text.matchAll(re)) found.push({ start: m.index, end: m.index + m[0].length, kind });
  }
  // Quoted lines are someone else's earlier message — unless they are all there is (a forwarded petition).
  const quotes: WrapperRange[] = [];
  let quoted = 0;
  for (const m of lineAnchored(text, ...QUOTE, otherBreaks)) {
    quotes.push({ start: m.index, end: m.index + m[0].length, kind: 'quote' });
    quoted += m[0].length;
  }
  // concatenated, not spread into push: a text of 200 000 quoted lines overflowed the call stack
  return mergeRanges(quotes.length > 0 && text.trim().length - quoted >= 200 ? found.concat(quotes) : found);
}
