/**
 * A thread of `sito score --jobs N`: its own runtime (rules, active model, embedding, the store
 * for template look-ups) built from the same environment as the command. It receives batches of
 * validated petitions and answers, per petition, either the whole verdict as a JSON line (nothing
 * stored: the thread scores on its own) or the analysis and vector the main thread needs to score
 * and store it in input order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import type { Petition } from '../ingest/petition-input.js';
import { attachEmbedding, openRuntime, prepareScoring } from '../runtime.js';

export interface WorkerBatch {
  seq: number;
  mode: 'score' | 'prepare';
  items: Array<{ line: number; petition: Petition }>;
}

export type WorkerAnswer =
  | { seq: number; results: string[] }
  | { seq: number; prepared: Array<{ analysis: unknown; vector: Float32Array | undefined; consulted: unknown }> }
  | { seq: number; failed: { line: number; message: string } };

const config = loadConfig(workerData?.env ?? process.env);
const ready = openRuntime(config).then(async (rt) => {
  await attachEmbedding(rt, config);
  return rt;
});

parentPort!.on('message', (batch: WorkerBatch | 'close') => {
  if (batch === 'close') {
    void ready.then((rt) => rt.close()).finally(() => process.exit(0));
    return;
  }
  void (async () => {
    const runtime = await ready;
    const results: string[] = [];
    const prepared: Array<{ analysis: unknown; vector: Float32Array | undefined; consulted: unknown }> = [];
    for (const { line, petition } of batch.items) {
      try {
        const p = await prepareScoring(runtime, petition);
        if (batch.mode === 'prepare') prepared.push(p);
        else results.push(JSON.stringify(await runtime.engine.score({ ...petition, store: false }, p.vector, p.analysis, p.consulted)));
      } catch (e) {
        parentPort!.postMessage({ seq: batch.seq, failed: { line, message: (e as Error).message } } satisfies WorkerAnswer);
        return;
      }
    }
    parentPort!.postMessage(batch.mode === 'prepare' ? { seq: batch.seq, prepared } : { seq: batch.seq, results });
  })();
});
