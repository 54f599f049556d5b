/**
 * Folding: the text every signal matches against.
 *
 * The folded text is lower-case, stripped of diacritics (ą→a, ł→l, é→e), NFC-insensitive
 * (combining marks are dropped), with every run of white space collapsed to one space, or to one
 * newline when the run contains a line break. Characters outside ASCII that remain after that are
 * replaced by PLACEHOLDER, so the folded text is pure ASCII: `\b` and `\w` mean what a rule author
 * expects, and a folded index is a byte index too.
 *
 * `map[i]` is the index in the original text of folded character i, so a span found in the folded
 * text is mapped back to the text the caller submitted (UTF-16 offsets).
 */
export const PLACEHOLDER = '\u007f';

export interface FoldedText {
  readonly original: string;
  readonly folded: string;
  /** `folded` as bytes (ASCII, so byte i is character i): what RE2 scans. */
  readonly bytes: Buffer;
  /** folded index → original index; length folded.length */
  readonly map: Int32Array;
}

export interface Range {
  start: number;
  end: number;
}

const foldCache = new Map<number, string>();

function isCombining(code: number): boolean {
  return (
    (code >= 0x0300 && code <= 0x036f) ||
    (code >= 0x1ab0 && code <= 0x1aff) ||
    (code >= 0x1dc0 && code <= 0x1dff) ||
    (code >= 0x20d0 && code <= 0x20ff) ||
    (code >= 0xfe20 && code <= 0xfe2f)
  );
}

function isInvisible(code: number): boolean {
  // soft hyphen, zero-width space/joiners, word joiner, BOM
  return code === 0x00ad || (code >= 0x200b && code <= 0x200d) || code === 0x2060 || code === 0xfeff;
}

function isSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function isNewline(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029 || code === 0x0b || code === 0x0c;
}

/** Folds one non-ASCII UTF-16 code unit to one ASCII character. */
export function foldUnit(code: number): string {
  const cached = foldCache.get(code);
  if (cached !== undefined) return cached;
  let out: string;
  if (code >= 0xd800 && code <= 0xdfff) {
    out = PLACEHOLDER;
  } else {
    const ch = String.fromCharCode(code);
    const base = ch.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    const special: Record<string, string> = {
      ł: 'l', ø: 'o', đ: 'd', ß: 's', æ: 'a', œ: 'o', ı: 'i',
      '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'",
      '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u00ab': '"', '\u00bb': '"',
      '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
      '\u2026': '.', '\u00a7': '#', // § folds to '#', so the folded text stays ASCII
    };
    const first = base.length > 0 ? base[0]! : PLACEHOLDER;
    const mapped = special[first] ?? first;
    out = mapped.charCodeAt(0) < 0x80 ? mapped : PLACEHOLDER;
  }
  foldCache.set(code, out);
  return out;
}

/** What folding does with each UTF-16 code unit: keep it (folded), a space, a line break, or drop it. */
const KEEP = 0;
const SPACE = 1;
const NEWLINE = 2;
const DROP = 3;
const CLASS = new Uint8Array(0x10000);
for (let code = 0; code < 0x10000; code++) {
  CLASS[code] = isSpace(code) ? (isNewline(code) ? NEWLINE : SPACE) : isCombining(code) || isInvisible(code) ? DROP : KEEP;
}
/** The folded byte of each code unit kept, filled as units are first met (0: not yet). */
const FOLDED = new Uint8Array(0x10000);
for (let code = 0; code < 0x80; code++) FOLDED[code] = code >= 0x41 && code <= 0x5a ? code + 32 : code;

/**
 * Folds `original`, leaving out every index inside `excluded` (sorted, non-overlapping ranges —
 * the e-mail wrapper). An excluded range reads as a line break, so text on either side of it never
 * joins into one word. One table look-up per code unit says what to do with it.
 */
export function foldText(original: string, excluded: readonly Range[] = []): FoldedText {
  const n = original.length;
  const out = Buffer.allocUnsafe(n);
  const map = new Int32Array(n + 1);
  let len = 0;
  let pendingSpace = 0; // 0 none, 1 space, 2 newline
  let pendingAt = 0;
  let ex = 0;
  let nextExcluded = excluded.length ? excluded[0]!.start : n;
  let i = 0;
  while (i < n) {
    if (i >= nextExcluded) {
      const range = excluded[ex++]!;
      if (i < range.end) {
        if (pendingSpace < 2) {
          pendingSpace = 2;
          pendingAt = i;
        }
        i = range.end;
      }
      nextExcluded = ex < excluded.length ? excluded[ex]!.start : n;
      continue;
    }
    const code = original.charCodeAt(i);
    const kind = CLASS[code]!;
    if (kind !== KEEP) {
      if (kind !== DROP && kind > pendingSpace) {
        if (pendingSpace === 0) pendingAt = i;
        pendingSpace = kind;
      }
      i++;
      continue;
    }
    if (pendingSpace !== 0) {
      if (len > 0) {
        out[len] = pendingSpace === 2 ? 0x0a : 0x20;
        map[len] = pendingAt;
        len++;
      }
      pendingSpace = 0;
    }
    let folded = FOLDED[code]!;
    if (folded === 0) folded = FOLDED[code] = foldUnit(code).charCodeAt(0);
    out[len] = folded;
    map[len] = i;
    len++;
    i++;
  }
  const bytes = out.subarray(0, len);
  return { original, folded: bytes.toString('latin1'), bytes, map: map.subarray(0, len) };
}

/** Maps the folded span [start, end) back to the original text. */
export function toOriginalSpan(f: FoldedText, start: number, end: number): Range {
  if (end <= start) {
    const at = start < f.map.length ? f.map[start]! : f.original.length;
    return { start: at, end: at };
  }
  const s = f.map[start]!;
  let e = f.map[end - 1]! + 1;
  const o = f.original;
  // keep a surrogate pair whole, and the combining marks that belong to the last character
  if (e < o.length) {
    const c = o.charCodeAt(e - 1);
    if (c >= 0xd800 && c <= 0xdbff) e++;
  }
  while (e < o.length && (isCombining(o.charCodeAt(e)) || isInvisible(o.charCodeAt(e)))) e++;
  return { start: s, end: e };
}
