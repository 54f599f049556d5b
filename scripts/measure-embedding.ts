/**
 * Measures the embedding model (default: the configured one) for retrieval:
 *  1. on a labelled corpus (default ../shared/corpus/real-dev.jsonl): same-family recall@5 and
 *     5-NN label accuracy (leave-one-out), against a TF-IDF baseline (natural's TfIdf, cosine);
 *  2. on generated paraphrases of the project's campaign templates that the fingerprints miss:
 *     how often the original is among the 5 nearest of all the project's petitions.
 *   npm run measure:embedding [-- path/to/corpus.jsonl]
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import natural from 'natural';
import { loadConfig } from '../src/config.js';
import { normalise, withoutWrapper } from '../src/normalise/normalise.js';
import { compare, fingerprint, isNearDuplicate } from '../src/signals/fingerprint/minhash.js';
import { cosine, loadEmbedder } from '../src/signals/embedding/embedder.js';
import { readCorpus, table } from './lib/corpus.js';
import { rng, pick } from './lib/generate-petitions.js';

const config = loadConfig();
const { embedder, status } = await loadEmbedder(config.embeddingModel, config.modelsDir);
if (!embedder) throw new Error(`embedding model not loaded: ${status.problem}`);

type Vec = Float32Array | Map<string, number>;
const tfidfVectors = (texts: string[]): Array<Map<string, number>> => {
  const tfidf = new natural.TfIdf();
  for (const t of texts) tfidf.addDocument(normalise(withoutWrapper(t)).folded);
  return texts.map((_, i) => {
    const m = new Map<string, number>();
    for (const { term, tfidf: w } of tfidf.listTerms(i)) m.set(term, w);
    const norm = Math.sqrt([...m.values()].reduce((a, b) => a + b * b, 0)) || 1;
    for (const [k, v] of m) m.set(k, v / norm);
    return m;
  });
};
const sim = (a: Vec, b: Vec) => {
  if (a instanceof Float32Array) return cosine(a, b as Float32Array);
  let s = 0;
  for (const [k, v] of a) s += v * ((b as Map<string, number>).get(k) ?? 0);
  return s;
};
const topK = (q: number, vecs: Vec[], k: number) =>
  vecs
    .map((v, i) => [i, i === q ? -Infinity : sim(vecs[q]!, v)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([i]) => i);

// 1. the labelled corpus
const docs = readCorpus(process.argv.slice(2).find((a) => !a.startsWith('--')));
const emb = await embedder.embed(docs.map((d) => withoutWrapper(d.text)));
const tfv = tfidfVectors(docs.map((d) => d.text));
const rows: Array<Array<string | number>> = [];
for (const [name, vecs] of [[`embedding ${embedder.name}`, emb], ['TF-IDF (natural)', tfv]] as const) {
  let withSib = 0, found = 0, correct = 0;
  docs.forEach((d, i) => {
    const nn = topK(i, vecs as Vec[], 5);
    if (docs.some((o, j) => j !== i && o.family === d.family)) {
      withSib++;
      if (nn.some((j) => docs[j]!.family === d.family)) found++;
    }
    const mass = nn.filter((j) => docs[j]!.label === 'mass').length;
    if ((mass >= 3 ? 'mass' : 'regular') === d.label) correct++;
  });
  rows.push([name, `${found}/${withSib} = ${(found / withSib).toFixed(3)}`, `${correct}/${docs.length} = ${(correct / docs.length).toFixed(3)}`]);
}
console.log(`corpus: ${docs.length} petitions, ${new Set(docs.map((d) => d.family)).size} families`);
console.log(table(['retrieval', 'same-family recall@5', '5-NN label accuracy'], rows));

// 2. paraphrases the fingerprints miss
const SYNONYMS: Record<string, string[]> = {
  wnosimy: ['prosimy', 'zwracamy się'], prosimy: ['uprzejmie prosimy', 'wnosimy'], urząd: ['jednostka', 'urząd gminy'], urzędu: ['jednostki', 'magistratu'],
  gminy: ['samorządu', 'miejscowości'], gmina: ['samorząd', 'jednostka'], bezpłatny: ['darmowy', 'nieodpłatny'], bezpłatną: ['darmową', 'nieodpłatną'],
  bezpłatne: ['darmowe', 'nieodpłatne'], oferujemy: ['proponujemy', 'zapewniamy'], proponujemy: ['oferujemy', 'sugerujemy'], osoby: ['pracownika', 'urzędnika'],
  odpowiedzialnej: ['właściwej', 'zajmującej się'], informację: ['odpowiedź', 'wiadomość'], nasza: ['ta'], firma: ['spółka', 'organizacja'],
  wdrożenie: ['uruchomienie', 'wprowadzenie'], koszty: ['wydatki', 'opłaty'], obniża: ['zmniejsza', 'redukuje'], pozwala: ['umożliwia', 'daje możliwość'],
  kontakt: ['telefon', 'odpowiedź'], program: ['projekt', 'przedsięwzięcie'], programu: ['projektu', 'przedsięwzięcia'], mieszkańcy: ['obywatele', 'ludzie'],
};
const r = rng(4242);
function paraphrase(text: string): string {
  const sentences = text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim());
  const kept = sentences.filter(() => r() > 0.25);
  for (let i = kept.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [kept[i], kept[j]] = [kept[j]!, kept[i]!];
  }
  return kept
    .map((s) => s.split(' ').map((w) => (SYNONYMS[w.toLowerCase()] && r() < 0.8 ? pick(r, SYNONYMS[w.toLowerCase()]!) : r() < 0.1 ? '' : w)).join(' '))
    .join(' ');
}
const corpus = parse(readFileSync(new URL('../data/petitions.csv', import.meta.url)), { columns: true }) as Array<{ id: string; label: string; family: string; text: string }>;
const originals = corpus.filter((d) => d.label === 'mass' && d.id.endsWith('-1'));
const pool = await embedder.embed(corpus.map((d) => withoutWrapper(d.text)));
let tried = 0, missedByFingerprint = 0, foundTop5 = 0;
for (const o of originals) {
  for (let v = 0; v < 6; v++) {
    const p = paraphrase(o.text);
    tried++;
    const fo = fingerprint(normalise(o.text).folded);
    const fp = fingerprint(normalise(p).folded);
    if (isNearDuplicate(fo, fp, compare(fo, fp))) continue;
    missedByFingerprint++;
    const [q] = await embedder.embed([p]);
    const nn = pool.map((vec, i) => [i, cosine(q!, vec)] as const).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([i]) => corpus[i]!);
    if (nn.some((d) => d.family === o.family)) foundTop5++;
  }
}
console.log(`\nparaphrased campaign templates: ${tried} generated from ${originals.length} families, ${missedByFingerprint} missed by the fingerprints`);
console.log(`the campaign is among the 5 nearest of ${corpus.length} petitions for ${foundTop5}/${missedByFingerprint} = ${(foundTop5 / Math.max(1, missedByFingerprint)).toFixed(3)}`);
