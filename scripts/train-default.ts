/**
 * Trains the default model Sito ships, models/default/model.json, with the rules in
 * src/signals/rules/rules.yaml, from the project's corpus (data/petitions.csv) and — when
 * ../shared/corpus/real-dev.jsonl is beside the clone — the real petitions too (weights only are
 * kept). Without ../shared it rebuilds from data/ alone, and says so.
 *   npm run train:default [-- --project-only]
 * Training is seeded: the same data and rules give the same weights and figures (only the
 * creation time, training time and memory in the card differ between runs).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { priorWeights, trainModel } from '../src/classifier/train.js';
import { Engine } from '../src/engine.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { DEFAULT_EMBEDDING_MODEL, loadEmbedder } from '../src/signals/embedding/embedder.js';
import { realCorpus, trainingData } from './lib/training-data.js';

const out = fileURLToPath(new URL('../models/default/model.json', import.meta.url));
const rules = loadRules();
const { thresholds } = loadConfig({});
const engine = new Engine({ rules, thresholds });
// the default model is trained with the default embedding model's vectors among its features
const { embedder, status } = await loadEmbedder(DEFAULT_EMBEDDING_MODEL);
if (!embedder) throw new Error(`embedding model not loaded: ${status.problem}`);
const real = process.argv.includes('--project-only') ? null : realCorpus();
if (!real) console.log(process.argv.includes('--project-only') ? 'real corpus left out (--project-only)' : 'real corpus not found (../shared/corpus/real-dev.jsonl): training from data/ alone');
const { prepared, sources } = await trainingData(engine, embedder, real ?? []);
console.log(`training data:\n${sources.map((s) => `  - ${s}`).join('\n')}`);
const { artifact } = await trainModel(prepared, {
  ruleIds: rules.rules.map((r) => r.id),
  rulesFingerprint: rules.fingerprint,
  prior: priorWeights(rules, embedder.dimension),
  embedding: embedder.name,
  thresholds,
  version: `default-${prepared.sha256.slice(0, 8)}-${rules.fingerprint.slice(0, 6)}-${embedder.name}`,
  jobs: availableParallelism(),
});
artifact.card.data.sources = sources;
writeFileSync(out, `${JSON.stringify(artifact)}\n`);
const cv = artifact.card.cross_validation;
console.log(`wrote ${out}: ${artifact.version}, ${artifact.card.data.rows} rows, ${artifact.weights.ngram.length} n-gram weights`);
console.log(`cross-validation (${cv.folds} folds, grouped by ${cv.grouped_by}): recall ${cv.at_high.recall?.toFixed(3)}, regular flagged high ${cv.at_high.falsePositiveRate?.toFixed(3)}, ROC-AUC ${cv.at_high.rocAuc?.toFixed(4)}, PR-AUC ${cv.at_high.prAuc?.toFixed(4)}`);
