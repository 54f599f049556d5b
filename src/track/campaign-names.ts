/**
 * Campaign names a clerk can read: the words that characterise a campaign's representative text
 * against the office's stored petitions (TF-IDF, with natural's Polish stop words and the words
 * every petition uses). A clerk may replace the name; theirs is kept.
 */
import { createRequire } from 'node:module';
import type { TrackStore } from '../storage/track-store.js';

const require = createRequire(import.meta.url);
interface TfIdfInstance {
  addDocument(doc: string[] | Record<string, number>, key?: unknown): void;
  tfidf(terms: string[], d: number): number;
}
// natural 6.x, its TF-IDF and Polish stop words only (the whole package loads far more)
const { TfIdf } = require('natural/lib/natural/tfidf') as { TfIdf: new () => TfIdfInstance };
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

/** A corpus tokenised once, to weigh several campaigns against. */
export interface Corpus {
  docs: string[][];
}
export const corpusOf = (texts: readonly string[]): Corpus => ({ docs: texts.map(tokens) });

/** The `n` words of `text` with the highest TF-IDF against the corpus (the text itself counted as one document). */
export function characteristicWords(text: string, corpus: Corpus, n = 3): string[] {
  const tfidf = new TfIdf();
  for (const d of corpus.docs) tfidf.addDocument(d);
  const own = tokens(text);
  tfidf.addDocument(own);
  const firstSeen = new Map<string, number>();
  own.forEach((w, i) => firstSeen.has(w) || firstSeen.set(w, i));
  // terms go in as arrays: natural's listTerms re-tokenises each term with an ASCII-only tokenizer,
  // which splits Polish words at their diacritics ("pływania" → "p", "ywania") and scores them 0
  const terms = [...firstSeen.keys()]
    .filter((term) => term.length >= 4)
    .map((term) => ({ term, tfidf: tfidf.tfidf([term], corpus.docs.length) }))
    // ties (common with a small corpus) go to the word that comes first in the text
    .sort((a, b) => b.tfidf - a.tfidf || firstSeen.get(a.term)! - firstSeen.get(b.term)!);
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
export function ensureCampaignNames(ts: TrackStore, ids: readonly string[]): Map<string, { name: string; words: string[]; source: 'auto' | 'clerk' }> {
  const unnamed = ids.length ? ts.unnamedCampaigns(ids) : [];
  if (unnamed.length) {
    const texts = ts.corpusTexts(2000).map((t) => ({ campaign: t.campaign, tokens: tokens(t.text) }));
    for (const c of unnamed) {
      // weighed against everything else the office holds: the campaign's own copies would make its words look common
      const corpus = { docs: texts.filter((t) => t.campaign !== c.id).map((t) => t.tokens) };
      const words = c.text ? characteristicWords(c.text, corpus) : [];
      const name = words.length ? nameFromWords(words) : c.family;
      if (name) ts.setCampaignName(c.id, name, words, 'auto', null);
    }
  }
  return ids.length ? ts.campaignNames(ids) : new Map();
}
