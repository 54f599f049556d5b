import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { evaluateExamples, evaluateFile, scoreFeatures } from '../src/classifier/evaluate.js';
import { fromArtifact } from '../src/classifier/model.js';
import { prepareData, priorWeights, trainModel } from '../src/classifier/train.js';
import { Engine } from '../src/engine.js';
import { readLabelledCsv } from '../src/ingest/labelled-csv.js';
import { withoutWrapper } from '../src/normalise/normalise.js';
import { DEFAULT_EMBEDDING_MODEL, loadEmbedder } from '../src/signals/embedding/embedder.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { openRuntime } from '../src/runtime.js';
import { repoRoot } from './helpers/paths.js';
import { tempDir } from './helpers/sito-process.js';

describe('the comparison after training, from the features training made', () => {
  it('gives every petition of data/ the score a second analysis gives it, for the shipped model, a fresh one and the rules alone', async () => {
    const file = `${repoRoot}/data/petitions.csv`;
    const rules = loadRules();
    const { thresholds } = loadConfig({});
    const { embedder } = await loadEmbedder(DEFAULT_EMBEDDING_MODEL);
    const shipped = (await openRuntime(loadConfig({}, { dataDir: tempDir() }))).engine.model;
    expect(shipped?.artifact.embedding).toBe(DEFAULT_EMBEDDING_MODEL);
    const data = await prepareData(new Engine({ rules, thresholds }), file, embedder!);
    const { artifact } = await trainModel(data, {
      ruleIds: rules.rules.map((r) => r.id),
      rulesFingerprint: rules.fingerprint,
      prior: priorWeights(rules, embedder!.dimension),
      embedding: embedder!.name,
      thresholds,
      version: 'fresh',
    });
    const fresh = fromArtifact(artifact, { ruleIds: rules.rules.map((r) => r.id), embedding: embedder!.name });
    const models = [shipped, fresh, null];
    const fromFeatures = evaluateExamples(data.examples, rules, thresholds, models);
    expect(fromFeatures).toEqual(await evaluateFile(file, rules, thresholds, models, embedder));
    // row by row, not only the metrics: the score of each petition scored alone
    const engines = models.map((model) => new Engine({ rules, thresholds, model }));
    let i = 0;
    let mass = 0;
    for await (const row of readLabelledCsv(file)) {
      const analysis = engines[0]!.analyse({ text: row.text });
      const [vector] = await embedder!.embed([withoutWrapper(row.text, analysis.text.wrapper)]);
      models.forEach((model, m) => {
        expect(scoreFeatures(model, rules, data.examples[i]!.x), `row ${i + 1}, model ${m}`).toBe(engines[m]!.scoreAnalysis('', analysis, vector).score);
      });
      if (data.examples[i]!.y === 1) mass++;
      i++;
    }
    expect(i).toBe(data.examples.length);
    expect(mass).toBeGreaterThan(100);
  });
});
