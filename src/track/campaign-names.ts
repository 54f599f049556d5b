/**
 * Campaign names a clerk can read: the words that characterise a campaign's representative text
 * against the office's stored petitions (TF-IDF, with natural's Polish stop words and the words
 * every petition uses). A clerk may replace the name; theirs is kept.
 */
import { createRequire } from 'node:module';
import type { TrackStore } from '../storage/store.js';

const require = createRequire(import.meta.url);
interface TfIdfInstance {
  idf(term: string): number;
}
// natural 6.x, its TF-IDF and Polish stop words only (the whole package loads far more). A TfIdf
// built from documents already counted (its "deserialised" form) costs nothing to set up, and
// keeps each term's IDF once computed, so several campaigns are weighed against one corpus.
const { TfIdf } = require('natural/lib/natural/tfidf') as { TfIdf: new (deserialised?: { documents: Array<Record<string, number>> }) => TfIdfInstance };
const { words: POLISH_STOP_WORDS } = require('natural/lib/natural/util/stopwords_pl') as { words: string[] };

/** Words of every petition and letter to an office: they name nothing. */
const OFFICE_WORDS = [
  'petycja', 'petycji', 'petycję', 'petycje', 'petycją', 'petycjach', 'petycjami', 'wniosek', 'wniosku', 'wnoszę', 'wnosimy', 'wnosi', 'sprawie', 'sprawy',
  'szanowni', 'szanowny', 'szanowna', 'państwo', 'państwa', 'panie', 'poważaniem', 'pozdrowieniami', 'pozdrawiam', 'uprzejmie', 'prośbą', 'proszę', 'prosimy',
  'gmina', 'gminy', 'gminie', 'gminę', 'miasta', 'miasto', 'urząd', 'urzędu', 'urzędzie', 'wójt', 'wójta', 'burmistrz', 'burmistrza', 'prezydent', 'rada', 'rady',
  'ustawy', 'ustawa', 'ustawie', 'art', 'ust', 'pkt', 'dnia', 'roku', 'r', 'ul', 'tel', 'mail', 'e', 'www', 'http', 'https', 'pl', 'com',
  'zwracam', 'zwracamy', 'zgodnie', 'podstawie', 'związku', 'celu', 'także', 'również', 'jednostki', 'jednostek', 'samorządu', 'terytorialnego', 'dot',
  'wyrażam', 'zgodę', 'danych', 'osobowych', 'ujawnienie', 'stronie', 'internetowej', 'podpis', 'imię', 'nazwisko', 'adres',
];
const STOP = new Set([...POLISH_STOP_WORDS, ...OFFICE_WORDS]);

/** Lower-cased Polish words of at least 3 letters, stop words and numbers left out. */
export function tokens(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}[\p{L}-]*\p{L}/gu) ?? []).filter((w) => w.length >= 3 && !STOP.has(w));
}

/** Term counts of one text (no prototype: a word like "constructor" is just a word). */
export function counts(words: readonly string[]): Record<string, number> {
  const c = Object.create(null) as Record<string, number>;
  for (const w of words) c[w] = (c[w] ?? 0) + 1;
  return c;
}

/** A corpus counted once, to weigh several campaigns against. */
export interface Corpus {
  tfidf: TfIdfInstance;
}
export const corpusFromCounts = (docs: Array<Record<string, number>>): Corpus => ({ tfidf: new TfIdf({ documents: docs }) });
export const corpusOf = (texts: readonly string[]): Corpus => corpusFromCounts(texts.map((t) => counts(tokens(t))));

/**
 * The `n` words of `text` with the highest TF-IDF: its count in the text times natural's IDF over
 * the corpus (1 + ln(N / (1 + documents with the word))).
 */
export function characteristicWords(text: string, corpus: Corpus, n = 3): string[] {
  const own = counts(tokens(text));
  const order = Object.keys(own); // first appearance (insertion order of a null-prototype object's string keys)
  const rank = new Map(order.map((w, i) => [w, i]));
  const terms = order
    // natural caches IDF in a plain object: a word that is also an Object.prototype key would read the cache wrongly
    .filter((term) => term.length >= 4 && !(term in Object.prototype))
    .map((term) => ({ term, tfidf: own[term]! * corpus.tfidf.idf(term) }))
    // ties (common with a small corpus) go to the word that comes first in the text
    .sort((a, b) => b.tfidf - a.tfidf || rank.get(a.term)! - rank.get(b.term)!);
  const out: string[] = [];
  for (const t of terms) {
    // one form of a word: skip a word sharing its first 5 letters with one already taken (oświetlenia / oświetlenie)
    if (out.some((w) => w.slice(0, 5) === t.term.slice(0, 5))) continue;
    out.push(t.term);
    if (out.length === n) break;
  }
  return out;
}

export const nameFromWords = (words: readonly string[]) => words.join(', ');

/** What a page shows for a campaign: its stored name, its family, or, failing both, its id. */
export const campaignLabel = (c: { id: string; family?: string | null }, names: Map<string, { name: string }>) => names.get(c.id)?.name ?? c.family ?? c.id;

/** Names every campaign of `ids` that has none yet (stored, so each is computed once); returns all names. */
export async function ensureCampaignNames(ts: TrackStore, ids: readonly string[]): Promise<Map<string, { name: string; words: string[]; source: 'auto' | 'clerk' }>> {
  const unnamed = ids.length ? await ts.unnamedCampaigns(ids) : [];
  if (unnamed.length) {
    // weighed against everything else the office holds: a campaign's own copies would make its words look common
    const naming = new Set(unnamed.map((c) => c.id));
    const corpus = corpusFromCounts((await ts.corpusTexts(2000)).filter((t) => !naming.has(t.campaign ?? '')).map((t) => counts(tokens(t.text))));
    for (const c of unnamed) {
      const words = c.text ? characteristicWords(c.text, corpus) : [];
      const name = words.length ? nameFromWords(words) : c.family;
      if (name) await ts.setCampaignName(c.id, name, words, 'auto', null);
    }
  }
  return ids.length ? await ts.campaignNames(ids) : new Map();
}
