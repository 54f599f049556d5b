/**
 * Measures Sito on a labelled corpus (default ../shared/corpus/real-dev.jsonl), never used for
 * training: the rules alone against the active model (the shipped default on a fresh clone).
 *
 * Known campaigns are leave-one-family-out: each family is scored against a library of known
 * campaigns built from every other family of the corpus (fingerprints and labels), so a family's
 * own copies never vouch for it — the figures say how Sito does on a campaign it has never seen.
 *   npm run measure:corpus [-- path/to/corpus.jsonl] [--no-library]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { metrics } from '../src/classifier/metrics.js';
import { Engine } from '../src/engine.js';
import { normalise } from '../src/normalise/normalise.js';
import { attachEmbedding, openRuntime } from '../src/runtime.js';
import { withoutWrapper } from '../src/normalise/normalise.js';
import { clusterPetitions } from '../src/signals/campaign/cluster.js';
import { fingerprint, MIN_SHINGLES } from '../src/signals/fingerprint/minhash.js';
import { loadLibrary } from '../src/storage/known-campaigns.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { pct, readCorpus, table } from './lib/corpus.js';

const args = process.argv.slice(2);
const useLibrary = !args.includes('--no-library');
const docs = readCorpus(args.find((a) => !a.startsWith('--')));
const config = loadConfig();
const home = mkdtempSync(join(tmpdir(), 'sito-measure-'));
const rt = openRuntime({ ...config, dataDir: home });
await attachEmbedding(rt, { ...config, dataDir: home });
const model = rt.engine.model;
const rules = rt.engine.rules;
const vectors = rt.embedder ? await rt.embedder.embed(docs.map((d) => withoutWrapper(d.text))) : docs.map(() => undefined);
rt.close();

const fps = docs.map((d) => fingerprint(normalise(d.text).folded));
const families = [...new Set(docs.map((d) => d.family))].sort();
const scores = { rules: new Array<number>(docs.length), model: new Array<number>(docs.length) };
let knownMatches = 0;
for (const family of families) {
  const dir = mkdtempSync(join(tmpdir(), 'sito-measure-'));
  const store = SqliteStore.open(dir);
  if (useLibrary) {
    const others = docs.map((d, i) => ({ d, i })).filter(({ d, i }) => d.family !== family && fps[i]!.shingles >= MIN_SHINGLES);
    const clusters = clusterPetitions(others.map(({ d, i }) => ({ fingerprint: fps[i]!, text: '', family: d.family, label: d.label, sender: null, receivedAt: null })));
    loadLibrary(
      store,
      clusters.map((c) => ({ id: c.id, label: c.label, family: c.family, sender: null, firstSeen: null, lastSeen: null, size: c.members.length, representativeText: null, fingerprint: c.representative.fingerprint })),
    );
  }
  const byRules = new Engine({ rules, thresholds: config.thresholds, store });
  const byModel = new Engine({ rules, thresholds: config.thresholds, store, model });
  docs.forEach((d, i) => {
    if (d.family !== family) return;
    const r = byRules.score({ text: d.text, store: false });
    if (r.campaign) knownMatches++;
    scores.rules[i] = r.score;
    scores.model[i] = byModel.score({ text: d.text, store: false }, vectors[i]).score;
  });
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
rmSync(home, { recursive: true, force: true });

const ys = docs.map((d) => (d.label === 'mass' ? 1 : 0));
const { high, review } = config.thresholds;
const modelName = model?.artifact.version ?? '(no model: rules)';
console.log(`corpus: ${docs.length} petitions (${ys.filter((y) => y).length} mass, ${ys.filter((y) => !y).length} regular) in ${families.length} families`);
console.log(`known campaigns: ${useLibrary ? `leave-one-family-out library; ${knownMatches} petitions matched a campaign of another family` : 'none'}`);
console.log(`thresholds: high ${high}, review ${review}; model ${modelName}\n`);
const row = (name: string, s: number[]) => {
  const m = metrics(s, ys, high);
  const r = metrics(s, ys, review);
  return [name, `${m.confusion.tp}/${m.positives} = ${pct(m.confusion.tp, m.positives)}`, `${m.confusion.fp}/${m.n - m.positives} = ${pct(m.confusion.fp, m.n - m.positives)}`, `${r.confusion.fp}/${r.n - r.positives}`, m.rocAuc.toFixed(3)];
};
console.log(table(['scorer', 'recall of mass (high)', 'regular flagged high', 'regular at review+', 'ROC-AUC'], [row('rules only', scores.rules), row(`model ${modelName}`, scores.model)]));
console.log('');
console.log(
  table(
    ['family', 'label', 'n', 'rules: high', 'model: high', 'rules: mean score', 'model: mean score'],
    families.map((f) => {
      const idx = docs.map((d, i) => (d.family === f ? i : -1)).filter((i) => i >= 0);
      const mean = (s: number[]) => (idx.reduce((a, i) => a + s[i]!, 0) / idx.length).toFixed(3);
      return [f, docs[idx[0]!]!.label, idx.length, idx.filter((i) => scores.rules[i]! >= high).length, idx.filter((i) => scores.model[i]! >= high).length, mean(scores.rules), mean(scores.model)];
    }),
  ),
);
