import type { Worker } from 'node:worker_threads';
import { startThread } from '../thread-module.js';
import type { FeatureVector } from './features.js';
import { trainLogistic, type LinearWeights, type TrainOptions } from './logistic.js';
import { SharedArena } from './shared-arena.js';

/** One model to fit: on the rows listed, with these options and prior. */
export interface FitJob {
  id: number;
  rows: Uint32Array;
  options: TrainOptions;
  prior: { bias: number; dense: Float64Array };
}

/** One fit: the model of the job's rows (here or in a thread). */
export function fitRows(xs: readonly FeatureVector[], ys: readonly (0 | 1)[], job: Omit<FitJob, 'id'>): LinearWeights {
  return trainLogistic(Array.from(job.rows, (i) => xs[i]!), Array.from(job.rows, (i) => ys[i]!), job.options, job.prior);
}

/**
 * Fits several logistic models on subsets of the same rows (cross-validation's folds and the
 * final fit), on `threads` threads when more than one. Each fit is the same computation as in one
 * thread, so the weights are the same to the bit. The threads read the vectors in shared memory:
 * arrays a SharedArena made are read in place, others are copied there first.
 */
export async function fitMany(xs: FeatureVector[], ys: readonly (0 | 1)[], jobs: Array<Omit<FitJob, 'id'>>, threads: number, onFit?: () => void): Promise<LinearWeights[]> {
  const n = Math.min(threads, jobs.length);
  if (n <= 1) {
    return jobs.map((j) => {
      const w = fitRows(xs, ys, j);
      onFit?.();
      return w;
    });
  }
  const arena = new SharedArena();
  const shared = xs.map((x) => arena.adopt(x));
  const workers = Array.from({ length: n }, () => startThread(import.meta.url, 'fit-worker', { workerData: { xs: shared, ys } }));
  // the largest fits first, so the threads finish together
  const queue = jobs.map((j, id) => ({ ...j, id })).sort((a, b) => b.rows.length - a.rows.length);
  const out = new Array<LinearWeights>(jobs.length);
  try {
    await new Promise<void>((resolve, reject) => {
      let left = jobs.length;
      const feed = (w: Worker) => {
        const job = queue.shift();
        if (job) w.postMessage(job);
      };
      for (const w of workers) {
        w.on('message', (m: { id: number; error?: string; bias: number; dense: Float64Array; ngram: Float32Array }) => {
          if (m.error) return reject(new Error(`fitting a model: ${m.error}`));
          out[m.id] = { bias: m.bias, dense: m.dense, ngram: m.ngram };
          onFit?.();
          if (--left === 0) return resolve();
          feed(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (left > 0) reject(new Error(`a fitting thread stopped (exit code ${code})`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
