/**
 * A BERT WordPiece tokenizer (tokenizer.json with BertNormalizer, BertPreTokenizer, WordPiece and
 * BertProcessing) that gives the same token ids as transformers.js's, faster: the normalisation
 * runs as a few whole-string passes instead of a regular expression per character, and each word's
 * pieces are computed once and cached. Any other tokenizer.json is not handled here (`null`), and
 * transformers.js tokenizes it. test/embedding-fast-path.test.ts checks the ids against transformers.js.
 */

interface TokenizerJson {
  normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; strip_accents?: boolean | null; lowercase?: boolean } | null;
  pre_tokenizer?: { type?: string } | null;
  post_processor?: { type?: string; cls?: [string, number]; sep?: [string, number] } | null;
  model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number; vocab?: Record<string, number> };
  added_tokens?: Array<{ id: number; content: string; lstrip?: boolean; rstrip?: boolean }>;
}

export interface WordPieceTokenizer {
  /** token ids with [CLS] … [SEP], cut at `maxLength` */
  encode(text: string): number[];
}

const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRE_TOKEN = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
/** NUL, U+FFFD and Unicode's C* categories, except tab, newline and carriage return: removed */
const REMOVED = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const WHITE = /\s/g;
const COMBINING = /[\u0300-\u036f]/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Words whose pieces are remembered (a petition repeats its words; the cache stays bounded). */
const CACHE = 50_000;

/**
 * BertNormalizer (clean text, lower case, accents stripped) then BertPreTokenizer: the words and
 * punctuation marks of `x`, as regular expressions over the whole string find them. The reference
 * the fast path below must equal (test/embedding-fast-path.test.ts compares them).
 */
export function preTokenizeByRegex(x: string): string[] {
  x = x.replace(REMOVED, '').replace(WHITE, ' ').toLowerCase().normalize('NFD').replace(COMBINING, '');
  return x.match(PRE_TOKEN) ?? [];
}

/** What each UTF-16 code unit outside the surrogates is to the two passes (tables built once). */
const KEEP = 0;
const DROP = 1;
const SPACE = 2;
const PUNCT = 3;
let cleanClass: Uint8Array | null = null;
let tokenClass: Uint8Array | null = null;

/** Each code unit classified by the very expressions of preTokenizeByRegex, so the two agree by construction. */
function classTables(): { clean: Uint8Array; token: Uint8Array } {
  if (!cleanClass || !tokenClass) {
    const clean = new Uint8Array(0x10000);
    const token = new Uint8Array(0x10000);
    const removed = new RegExp(REMOVED.source, 'u');
    const white = new RegExp(WHITE.source);
    const punct = new RegExp(`^[${PUNCTUATION}]$`, 'u');
    const space = /^\s$/u;
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      clean[c] = removed.test(ch) ? DROP : white.test(ch) ? SPACE : KEEP;
      token[c] = space.test(ch) ? SPACE : punct.test(ch) ? PUNCT : KEEP;
    }
    cleanClass = clean;
    tokenClass = token;
  }
  return { clean: cleanClass, token: tokenClass };
}

/**
 * preTokenizeByRegex in two passes over the code units, each deciding by a table: the regular
 * expressions' Unicode classes were most of the tokenizer's time (6 000 characters of an e-mail:
 * 0.30–0.43 ms by the expressions, 0.13–0.18 ms by the tables). A text holding a surrogate (an
 * astral character, or a lone half) takes the expressions, which read code points.
 */
export function preTokenize(x: string): string[] {
  const { clean, token } = classTables();
  let cleaned = '';
  let from = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const c = x.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return preTokenizeByRegex(x);
    const k = clean[c]!;
    if (k === KEEP) continue;
    cleaned += x.slice(from, i);
    if (k === SPACE) cleaned += ' ';
    from = i + 1;
  }
  cleaned = from === 0 ? x : cleaned + x.slice(from);
  const y = cleaned.toLowerCase().normalize('NFD').replace(COMBINING, '');
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < y.length; i++) {
    const c = y.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return preTokenizeByRegex(x);
    const k = token[c]!;
    if (k === KEEP) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) out.push(y.slice(start, i));
    start = -1;
    if (k === PUNCT) out.push(y[i]!);
  }
  if (start >= 0) out.push(y.slice(start));
  return out;
}

export function wordPieceTokenizer(json: TokenizerJson, maxLength: number): WordPieceTokenizer | null {
  const n = json.normalizer;
  const m = json.model;
  const post = json.post_processor;
  if (!n || n.type !== 'BertNormalizer' || n.handle_chinese_chars || n.clean_text !== true || n.lowercase !== true || n.strip_accents === false) return null;
  if (json.pre_tokenizer?.type !== 'BertPreTokenizer') return null;
  if (!m || m.type !== 'WordPiece' || !m.vocab || !m.unk_token) return null;
  if (!post || post.type !== 'BertProcessing' || !post.cls || !post.sep) return null;
  const vocab = new Map(Object.entries(m.vocab));
  const unk = vocab.get(m.unk_token);
  const cls = vocab.get(post.cls[0]);
  const sep = vocab.get(post.sep[0]);
  if (unk === undefined || cls === undefined || sep === undefined) return null;
  const prefix = m.continuing_subword_prefix ?? '##';
  const maxChars = m.max_input_chars_per_word ?? 100;
  const added = json.added_tokens ?? [];
  const addedIds = new Map(added.map((t) => [t.content, vocab.get(t.content) ?? unk]));
  const splitter = added.length ? new RegExp(added.map((x) => `${x.lstrip ? '\\s*' : ''}(${escapeRegExp(x.content)})${x.rstrip ? '\\s*' : ''}`).join('|')) : null;
  const cache = new Map<string, readonly number[]>();
  classTables(); // built now (≈ 12 ms), not in the first petition's scoring

  const pieces = (word: string): readonly number[] => {
    const known = cache.get(word);
    if (known) return known;
    const chars = [...word];
    let out: number[];
    if (chars.length > maxChars) out = [unk];
    else {
      out = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let id: number | undefined;
        while (start < end) {
          const sub = chars.slice(start, end).join('');
          id = vocab.get(start > 0 ? prefix + sub : sub);
          if (id !== undefined) break;
          end--;
        }
        if (id === undefined) {
          out = [unk];
          break;
        }
        out.push(id);
        start = end;
      }
    }
    if (cache.size >= CACHE) cache.clear();
    cache.set(word, out);
    return out;
  };

  const section = (x: string, ids: number[]) => {
    for (const word of preTokenize(x)) for (const id of pieces(word)) ids.push(id);
  };

  return {
    encode(text) {
      const ids = [cls];
      const sections = splitter ? text.split(splitter).filter((x) => x) : [text];
      for (const s of sections) {
        const special = addedIds.get(s);
        if (special !== undefined) ids.push(special);
        else section(s, ids);
      }
      ids.push(sep);
      return ids.length > maxLength ? ids.slice(0, maxLength) : ids;
    },
  };
}
