/**
 * A growth fill's analysis worker: the pure part of scoring (normalise → fingerprint → rules) for a
 * batch of texts, with the same rules file as the writer's engine. See growth-fill.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../../src/engine.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';
import type { AnalysedBatch, AnalysisJob } from './growth-fill.js';

const { rulesFile } = workerData as { rulesFile: string | undefined };
const engine = new Engine({ rules: loadRules(rulesFile), thresholds: { review: 0, high: 0 } });
const port = parentPort!;

port.on('message', (job: AnalysisJob) => {
  const out: AnalysedBatch = {
    batch: job.batch,
    items: job.texts.map((text) => {
      const a = engine.analyse({ text });
      const { original: _original, ...folded } = a.text;
      return { text: folded, fingerprint: a.fingerprint, hits: a.hits };
    }),
  };
  port.postMessage(out);
});
port.postMessage({ ready: engine.rulesVersion });
