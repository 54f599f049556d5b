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
    x = x.replace(REMOVED, '').replace(WHITE, ' ').toLowerCase().normalize('NFD').replace(COMBINING, '');
    if (!x.length) return;
    for (const word of x.trim().match(PRE_TOKEN) ?? []) for (const id of pieces(word)) ids.push(id);
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
