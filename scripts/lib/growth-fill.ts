import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Engine, type Analysis } from '../../src/engine.js';
import type { Petition } from '../../src/ingest/petition-input.js';
import type { FoldedText, WrapperRange } from '../../src/normalise/normalise.js';
import type { Fingerprint } from '../../src/signals/fingerprint/minhash.js';
import type { RuleHit } from '../../src/signals/rules/match-rules.js';
import type { SqliteStore } from '../../src/storage/sqlite-store.js';
import { indexWaitingIn } from '../../src/storage/search-index.js';

/** A batch of texts for a worker to analyse. */
export interface AnalysisJob {
  batch: number;
  texts: string[];
}

/** A worker's analyses, in the batch's order (the original text stays with the writer). */
export interface AnalysedBatch {
  batch: number;
  items: Array<{ text: Omit<FoldedText, 'original' | 'bytes'> & { bytes: Uint8Array; wrapper: readonly WrapperRange[] }; fingerprint: Fingerprint; hits: RuleHit[] }>;
}

export interface FillOptions {
  /** the rules file the engine was loaded from (undefined: the shipped rules) */
  rulesFile: string | undefined;
  /** analysis workers (default: one per core) */
  workers?: number;
  /** petitions per write transaction */
  batch?: number;
  /** called after each batch is written, with the number stored by this fill so far */
  progress?: (stored: number) => void;
}

// the scripts run through tsx; a worker thread has to register it before loading TypeScript
const WORKER_URL = new URL('./growth-fill-worker.ts', import.meta.url).href;
const BOOT = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); })`;

/**
 * Fills a SQLite store with petitions as `engine.score({ …, store: true })` stores them, fast:
 * the pure analysis (normalise → fingerprint → rules) runs in worker threads on every core, and
 * one writer — this thread — scores the petitions strictly in order through the engine itself
 * (`engine.score` with the analysis made), so the template look-up, campaign decisions, rows,
 * fingerprints, LSH band keys and full-text index are the pipeline's own. What it saves is the
 * analysis on one core and a commit per petition: `batch` petitions share one write transaction
 * (each petition's own transaction becomes a savepoint in it).
 *
 * The engine must have no semantic signal (vectors are computed by a model, not here).
 */
export async function fillThroughPipeline(engine: Engine, store: SqliteStore, petitions: { count: number; at: (i: number) => Petition }, opts: FillOptions): Promise<void> {
  const batchSize = opts.batch ?? 500;
  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const nBatches = Math.ceil(petitions.count / batchSize);
  if (nBatches === 0) return;
  const workers = await Promise.all(Array.from({ length: nWorkers }, () => startWorker(opts.rulesFile, engine.rulesVersion)));
  const waiting = new Map<number, { resolve: (b: AnalysedBatch) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  for (const w of workers) {
    w.on('message', (m: AnalysedBatch) => {
      waiting.get(m.batch)?.resolve(m);
      waiting.delete(m.batch);
    });
    w.on('error', (e) => {
      failure ??= e;
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    });
  }
  const inFlight = new Map<number, { petitions: Petition[]; analysed: Promise<AnalysedBatch> }>();
  const send = (k: number) => {
    const batch = Array.from({ length: Math.min(batchSize, petitions.count - k * batchSize) }, (_, j) => petitions.at(k * batchSize + j));
    const analysed = new Promise<AnalysedBatch>((resolve, reject) => {
      if (failure) reject(failure);
      else waiting.set(k, { resolve, reject });
    });
    analysed.catch(() => undefined); // awaited in order below; an early rejection is not unhandled
    workers[k % nWorkers]!.postMessage({ batch: k, texts: batch.map((p) => p.text) } satisfies AnalysisJob);
    inFlight.set(k, { petitions: batch, analysed });
  };
  const db = store.sync.connection;
  // while filling: a page cache that holds the growing indexes (1 GB), and no sync at commits (a
  // benchmark's throwaway store); what is stored does not change, and both are put back after
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('cache_size = -1000000');
  db.pragma('synchronous = OFF');
  let sent = 0;
  let stored = 0;
  try {
    for (let k = 0; k < nBatches; k++) {
      // keep every worker busy with two batches while this one is written
      while (sent < nBatches && sent < k + 2 * nWorkers) send(sent++);
      const { petitions: batch, analysed } = inFlight.get(k)!;
      inFlight.delete(k);
      const got = await analysed;
      await store.writeTransaction(async (tx) => {
        // the engine's own pipeline, on the transaction's store: each petition's transaction is a savepoint in it
        const writer = new Engine({ rules: engine.rules, thresholds: engine.thresholds, model: engine.model, store: tx });
        for (let j = 0; j < batch.length; j++) {
          const p = batch[j]!;
          const a = got.items[j]!;
          const analysis: Analysis = {
            text: { ...a.text, original: p.text, bytes: Buffer.from(a.text.bytes.buffer, a.text.bytes.byteOffset, a.text.bytes.byteLength) },
            fingerprint: a.fingerprint,
            hits: a.hits,
          };
          await writer.score({ ...p, store: true }, undefined, analysis);
        }
        // the batch's words enter the full-text index in its own transaction, as one segment
        indexWaitingIn(db, Number.MAX_SAFE_INTEGER);
      });
      stored += batch.length;
      opts.progress?.(stored);
    }
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
    db.pragma(`synchronous = ${synchronous}`);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function startWorker(rulesFile: string | undefined, rulesVersion: string): Promise<Worker> {
  const worker = new Worker(BOOT, { eval: true, workerData: { rulesFile } });
  return new Promise((resolve, reject) => {
    const onMessage = (m: { ready?: string }) => {
      if (m?.ready === undefined) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      if (m.ready !== rulesVersion) {
        void worker.terminate();
        reject(new Error(`growth fill: the workers loaded rules ${m.ready}, the engine has ${rulesVersion}`));
      } else resolve(worker);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}
