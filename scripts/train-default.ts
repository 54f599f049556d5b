/**
 * Trains the default model Sito ships, models/default/model.json, from the project's own corpus
 * (data/petitions.csv) with the rules in src/signals/rules/rules.yaml.
 *   npm run train:default
 * Training is seeded: the same data and rules give the same weights and figures (only the
 * creation time, training time and memory in the card differ between runs).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { prepareData, priorWeights, trainModel } from '../src/classifier/train.js';
import { Engine } from '../src/engine.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { DEFAULT_EMBEDDING_MODEL, loadEmbedder } from '../src/signals/embedding/embedder.js';

const data = fileURLToPath(new URL('../data/petitions.csv', import.meta.url));
const out = fileURLToPath(new URL('../models/default/model.json', import.meta.url));
const rules = loadRules();
const { thresholds } = loadConfig({});
const engine = new Engine({ rules, thresholds });
// the default model is trained with the default embedding model's vectors among its features
const { embedder, status } = await loadEmbedder(DEFAULT_EMBEDDING_MODEL);
if (!embedder) throw new Error(`embedding model not loaded: ${status.problem}`);
const prepared = await prepareData(engine, data, embedder);
const { artifact } = trainModel(prepared, {
  ruleIds: rules.rules.map((r) => r.id),
  rulesFingerprint: rules.fingerprint,
  prior: priorWeights(rules, embedder.dimension),
  embedding: embedder.name,
  thresholds,
  version: `default-${prepared.sha256.slice(0, 8)}-${rules.fingerprint.slice(0, 6)}-${embedder.name}`,
});
writeFileSync(out, `${JSON.stringify(artifact)}\n`);
const cv = artifact.card.cross_validation;
console.log(`wrote ${out}: ${artifact.version}, ${artifact.card.data.rows} petitions, ${artifact.weights.ngram.length} n-gram weights`);
console.log(`cross-validation (${cv.folds} folds, grouped by ${cv.grouped_by}): recall ${cv.at_high.recall?.toFixed(3)}, regular flagged high ${cv.at_high.falsePositiveRate?.toFixed(3)}, ROC-AUC ${cv.at_high.rocAuc?.toFixed(4)}, PR-AUC ${cv.at_high.prAuc?.toFixed(4)}`);
