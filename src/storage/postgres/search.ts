import { foldText } from '../../normalise/fold.js';

/** A word longer than this is no word a clerk types (and PostgreSQL refuses lexemes over 2 KB). */
const MAX_WORD = 100;
/** tsvector is limited to 1 MB: a hostile petition of distinct words is indexed up to this much. */
const MAX_CHARS = 400_000;

/**
 * The words full-text search finds a petition by: its searchable text (`searchableText`: the text,
 * subject and sender address folded as for SQLite, so "Łódź" and "lodz" find each other), split on everything
 * that is not [a-z0-9] as SQLite's tokenizer splits them, each word once. Stored as a tsvector
 * without positions (array_to_tsvector: no parser, so an e-mail address or a URL is split into
 * its words exactly as SQLite splits it).
 */
export function searchWords(searchable: string): string[] {
  const seen = new Set<string>();
  let chars = 0;
  for (const w of searchable.match(/[a-z0-9]+/g) ?? []) {
    if (w.length > MAX_WORD || seen.has(w)) continue;
    if (chars + w.length > MAX_CHARS) break;
    seen.add(w);
    chars += w.length + 1;
  }
  return [...seen];
}

/** A search box's words as a tsquery: each folded word (at most 16) as a prefix, all required; null without a word. */
export function searchTsQuery(q: string): string | null {
  const words = foldText(q).folded.match(/[a-z0-9]+/g)?.slice(0, 16).filter((w) => w.length <= MAX_WORD) ?? [];
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}
