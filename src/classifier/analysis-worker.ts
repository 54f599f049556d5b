/**
 * A thread of the analysis pool (analysis-pool.ts): loads the same rules and embedding model as
 * the command that started it, and analyses and embeds batches of texts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../engine.js';
import { withoutWrapper } from '../normalise/normalise.js';
import { loadEmbedder } from '../signals/embedding/embedder.js';
import { loadRules } from '../signals/rules/load-rules.js';
import { loadOfficeProfile } from '../signals/rules/office-profile.js';
import { pooledAnalysis, type AnalysisSource, type PooledAnalysis } from './analysis-pool.js';

const source = workerData as AnalysisSource;
const rules = loadRules(source.rulesFile, source.officeProfile ? loadOfficeProfile(source.officeProfile) : null);
// only analyse() runs in a thread: the thresholds are never read here
const engine = new Engine({ rules, thresholds: { high: 0.8, review: 0.35 } });
const loading = source.embeddingModel ? loadEmbedder(source.embeddingModel, source.modelsDir) : Promise.resolve({ embedder: null });

parentPort!.on('message', (batch: { seq: number; texts: string[]; full: boolean }) => {
  void (async () => {
    try {
      if (rules.fingerprint !== source.rulesFingerprint) throw new Error(`the rules file changed while training (${rules.fingerprint}, expected ${source.rulesFingerprint})`);
      const { embedder } = await loading;
      const analyses = batch.texts.map((t) => engine.analyse({ text: t }));
      const vectors = embedder ? await embedder.embed(batch.texts.map((t, i) => withoutWrapper(t, analyses[i]!.text.wrapper))) : [];
      const out: PooledAnalysis[] = analyses.map((a, i) => pooledAnalysis(a, batch.full, vectors[i] ?? null));
      parentPort!.postMessage({ seq: batch.seq, out });
    } catch (e) {
      parentPort!.postMessage({ seq: batch.seq, error: (e as Error).message });
    }
  })();
});
