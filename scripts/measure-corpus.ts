/**
 * Measures Sito on a labelled corpus of real petitions (default ../shared/corpus/real-dev.jsonl).
 *
 * Three scorers:
 *   - the rules alone;
 *   - the shipped default model (it learnt from this corpus when it was beside the clone at
 *     `npm run train:default`, so its figures here are in-sample: a check, not a measure);
 *   - leave-one-family-out (the honest figure): for each family, a model trained like the default
 *     one on data/ and every OTHER real family scores that family's petitions, as if its campaign
 *     had never been seen.
 * Known campaigns are leave-one-family-out too: each family is scored against a library of known
 * campaigns built from every other family (fingerprints and labels), so its own copies never vouch for it.
 *   npm run measure:corpus [-- path/to/corpus.jsonl] [--no-library] [--no-lofo] [--weight=N] [--no-embedding]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { metrics } from '../src/classifier/metrics.js';
import { fromArtifact, type Model } from '../src/classifier/model.js';
import { priorWeights, trainModel } from '../src/classifier/train.js';
import { Engine } from '../src/engine.js';
import { normalise, withoutWrapper } from '../src/normalise/normalise.js';
import { attachEmbedding, openRuntime } from '../src/runtime.js';
import { clusterPetitions } from '../src/signals/campaign/cluster.js';
import { fingerprint, MIN_SHINGLES } from '../src/signals/fingerprint/minhash.js';
import { loadLibrary } from '../src/storage/known-campaigns.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { pct, readCorpus, table } from './lib/corpus.js';
import { progress } from '../src/cli/progress.js';
import { prepareTraining, realFamily, REAL_WEIGHT, weighted } from './lib/training-data.js';

const args = process.argv.slice(2);
const useLibrary = !args.includes('--no-library');
const lofo = !args.includes('--no-lofo');
const docs = readCorpus(args.find((a) => !a.startsWith('--')));
const config = loadConfig();
const home = mkdtempSync(join(tmpdir(), 'sito-measure-'));
const rt = await openRuntime({ ...config, dataDir: home });
await attachEmbedding(rt, { ...config, dataDir: home });
const shipped = rt.engine.model;
const rules = rt.engine.rules;
// --no-embedding: the leave-one-family-out models learn without the embedding vector (what it earns)
const embedder = args.includes('--no-embedding') ? null : rt.embedder;
const vectors = rt.embedder ? await rt.embedder.embed(docs.map((d) => withoutWrapper(d.text))) : docs.map(() => undefined);

const fps = docs.map((d) => fingerprint(normalise(d.text).folded));
const families = [...new Set(docs.map((d) => d.family))].sort();
const scores = { rules: new Array<number>(docs.length), shipped: new Array<number>(docs.length), lofo: new Array<number>(docs.length) };

// every petition's features once (the template features are simulated over all of them; a family's
// copies only ever count as repeats of each other, and the family is left out whole below)
const weight = Number(args.find((a) => a.startsWith('--weight='))?.slice(9) ?? REAL_WEIGHT);
const prepared = lofo ? await prepareTraining(new Engine({ rules, thresholds: config.thresholds }), embedder, docs) : [];

/** A model trained like the default one, on data/ and the real corpus without `family`. */
async function modelWithout(family: string): Promise<Model> {
  const examples = weighted(prepared.filter((e) => realFamily(e) !== family), weight);
  const { artifact } = await trainModel({ examples, sha256: '', file: 'lofo' }, {
    ruleIds: rules.rules.map((r) => r.id),
    rulesFingerprint: rules.fingerprint,
    prior: priorWeights(rules, embedder?.dimension ?? 0),
    embedding: embedder?.name ?? null,
    thresholds: config.thresholds,
    version: `lofo-${family.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60)}`,
    jobs: availableParallelism(),
  });
  return fromArtifact(artifact, { ruleIds: rules.rules.map((r) => r.id), embedding: embedder?.name ?? null });
}

let knownMatches = 0;
const bar = progress('families', families.length);
for (const family of families) {
  const dir = mkdtempSync(join(tmpdir(), 'sito-measure-'));
  const store = SqliteStore.open(dir);
  if (useLibrary) {
    const others = docs.map((d, i) => ({ d, i })).filter(({ d, i }) => d.family !== family && fps[i]!.shingles >= MIN_SHINGLES);
    const clusters = clusterPetitions(others.map(({ d, i }) => ({ fingerprint: fps[i]!, text: '', family: d.family, label: d.label, sender: null, receivedAt: null })));
    await loadLibrary(
      store,
      clusters.map((c) => ({ id: c.id, label: c.label, family: c.family, sender: null, firstSeen: null, lastSeen: null, size: c.members.length, representativeText: null, fingerprint: c.representative.fingerprint })),
    );
  }
  const byRules = new Engine({ rules, thresholds: config.thresholds, store });
  const byShipped = new Engine({ rules, thresholds: config.thresholds, store, model: shipped });
  const byLofo = lofo ? new Engine({ rules, thresholds: config.thresholds, store, model: await modelWithout(family) }) : null;
  for (const [i, d] of docs.entries()) {
    if (d.family !== family) continue;
    const r = await byRules.score({ text: d.text, store: false });
    if (r.campaign) knownMatches++;
    scores.rules[i] = r.score;
    scores.shipped[i] = (await byShipped.score({ text: d.text, store: false }, vectors[i])).score;
    if (byLofo) scores.lofo[i] = (await byLofo.score({ text: d.text, store: false }, embedder ? vectors[i] : undefined)).score;
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  bar.tick(family);
}
bar.done();
await rt.close();
rmSync(home, { recursive: true, force: true });

const ys = docs.map((d) => (d.label === 'mass' ? 1 : 0));
const { high, review } = config.thresholds;
const shippedName = shipped?.artifact.version ?? '(no model: rules)';
const inSample = shipped?.artifact.card.data.sources?.some((s) => s.includes('real-dev')) ?? false;
const nMass = ys.filter((y) => y).length;
const nReg = ys.length - nMass;
console.log(`corpus: ${docs.length} petitions (${nMass} mass, ${nReg} regular) in ${families.length} families`);
console.log(`known campaigns: ${useLibrary ? `leave-one-family-out library; ${knownMatches} petitions matched a campaign of another family` : 'none'}`);
console.log(`thresholds: high ${high}, review ${review}${lofo ? `; leave-one-family-out models weight each real petition ×${weight}` : ''}\n`);
const row = (name: string, s: number[]) => {
  const h = metrics(s, ys, high);
  const r = metrics(s, ys, review);
  return [
    name,
    `${h.confusion.tp}/${nMass} = ${pct(h.confusion.tp, nMass)}`,
    `${r.confusion.tp}/${nMass} = ${pct(r.confusion.tp, nMass)}`,
    `${h.confusion.fp}/${nReg} = ${pct(h.confusion.fp, nReg)}`,
    `${r.confusion.fp}/${nReg} = ${pct(r.confusion.fp, nReg)}`,
    h.rocAuc.toFixed(3),
  ];
};
const rows = [row('rules only', scores.rules), row(`shipped ${shippedName}${inSample ? ' (in-sample)' : ''}`, scores.shipped)];
if (lofo) rows.push(row('leave-one-family-out model', scores.lofo));
console.log(table(['scorer', 'mass at high', 'mass at review+', 'regular at high', 'regular at review+', 'ROC-AUC'], rows));
console.log('');
const lvl = (s: number) => (s >= high ? 'H' : s >= review ? 'r' : '.');
console.log(
  table(
    ['family', 'label', 'n', 'rules', 'shipped', ...(lofo ? ['leave-one-out'] : []), 'rules: mean', 'shipped: mean', ...(lofo ? ['leave-one-out: mean'] : [])],
    families.map((f) => {
      const idx = docs.map((d, i) => (d.family === f ? i : -1)).filter((i) => i >= 0);
      const mean = (s: number[]) => (idx.reduce((a, i) => a + s[i]!, 0) / idx.length).toFixed(3);
      const levels = (s: number[]) => idx.map((i) => lvl(s[i]!)).join('');
      return [f, docs[idx[0]!]!.label, idx.length, levels(scores.rules), levels(scores.shipped), ...(lofo ? [levels(scores.lofo)] : []), mean(scores.rules), mean(scores.shipped), ...(lofo ? [mean(scores.lofo)] : [])];
    }),
  ),
);
console.log('\nlevels: H high, r review, . low (one letter per petition)');
