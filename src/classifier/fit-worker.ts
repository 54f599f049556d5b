/**
 * A thread of the fit pool (fit-pool.ts): fits logistic models on the rows it is given, reading
 * the training file's feature vectors in shared memory, and sends back the weights.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureVector } from './features.js';
import { fitRows, type FitJob } from './fit-pool.js';

const { xs, ys } = workerData as { xs: FeatureVector[]; ys: Array<0 | 1> };

parentPort!.on('message', (job: FitJob) => {
  try {
    const w = fitRows(xs, ys, job);
    parentPort!.postMessage({ id: job.id, bias: w.bias, dense: w.dense, ngram: w.ngram }, [w.dense.buffer as ArrayBuffer, w.ngram.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
