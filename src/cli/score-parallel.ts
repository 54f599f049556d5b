import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../thread-module.js';
import { PetitionConflictError, type Analysis, type Engine } from '../engine.js';
import type { Consultation } from '../clearinghouse/consult.js';
import { describeIssues, PetitionInputSchema, type Petition } from '../ingest/petition-input.js';
import { LineError, readJsonLines } from '../ingest/jsonl.js';
import type { Progress } from './progress.js';
import type { WorkerAnswer, WorkerBatch } from './score-worker.js';

/** Petitions sent to a thread at once: large enough to amortise messaging, small enough to keep every thread busy. */
const BATCH = 32;

export interface ParallelOptions {
  store: boolean;
  jobs: number;
  progress?: Progress;
}

/** The analysis a thread sent back: its folded bytes arrive as a Uint8Array, and RE2 wants a Buffer. */
function revive(a: Analysis): Analysis {
  const bytes = a.text.bytes as unknown as Uint8Array;
  return { ...a, text: { ...a.text, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) } };
}

/**
 * `sito score --jobs N`: the same output as the one-thread path (one verdict per line, in input
 * order, a bad line stops the run with its number after every line before it is written), with
 * the work on N threads. Nothing stored: each thread scores on its own (its own runtime, template
 * look-ups in the same database). Stored: the threads analyse and embed, and this thread scores and
 * stores in input order, so campaigns form exactly as in one thread.
 */
export async function scoreStreamParallel(engine: Engine, input: Readable, output: Writable, opts: ParallelOptions): Promise<number> {
  const workers = Array.from({ length: opts.jobs }, () => startThread(import.meta.url, 'score-worker', { workerData: { env: { ...process.env } } }));
  const idle: Worker[] = [...workers];
  const waiting: Array<() => void> = [];
  const answers = new Map<number, WorkerAnswer>();
  let nextToWrite = 0;
  let wrote = 0;
  let failure: Error | null = null;
  /** set when a line failed in a thread or while storing: nothing after it is written */
  let stopped = false;
  let wake: (() => void) | null = null;
  const batches = new Map<number, WorkerBatch>();

  for (const w of workers) {
    w.on('message', (a: WorkerAnswer) => {
      answers.set(a.seq, a);
      idle.push(w);
      waiting.shift()?.();
      wake?.();
    });
    w.on('error', (e) => {
      failure ??= e;
      stopped = true;
      waiting.shift()?.();
      wake?.();
    });
  }

  const freeWorker = async (): Promise<Worker> => {
    while (!idle.length) {
      if (stopped) throw failure ?? new Error('a scoring thread stopped');
      await new Promise<void>((r) => waiting.push(r));
    }
    return idle.shift()!;
  };

  /** Writes every answer that is next in order; stops at the first failed line. */
  const drain = async () => {
    for (;;) {
      const a = answers.get(nextToWrite);
      if (!a) return;
      answers.delete(nextToWrite);
      const batch = batches.get(nextToWrite)!;
      batches.delete(nextToWrite);
      nextToWrite++;
      if ('failed' in a) throw new LineError(a.failed.line, a.failed.message);
      let lines: string[];
      let stop: Error | null = null;
      if ('results' in a) lines = a.results;
      else {
        const stored = await storeInOrder(engine, batch, a.prepared);
        lines = stored.lines;
        stop = stored.failure;
      }
      for (const l of lines) {
        if (!output.write(`${l}\n`)) await once(output, 'drain');
        wrote++;
        opts.progress?.tick();
      }
      if (stop) throw stop;
    }
  };
  const drainUntilFailure = async () => {
    try {
      await drain();
    } catch (e) {
      failure ??= e as Error;
      stopped = true;
    }
  };

  let seq = 0;
  let pending: WorkerBatch['items'] = [];
  const send = async () => {
    if (!pending.length) return;
    const w = await freeWorker();
    const batch: WorkerBatch = { seq: seq++, mode: opts.store ? 'prepare' : 'score', items: pending };
    batches.set(batch.seq, batch);
    pending = [];
    w.postMessage(batch);
    await drainUntilFailure();
  };

  try {
    try {
      for await (const { line, value } of readJsonLines(input)) {
        const parsed = PetitionInputSchema.safeParse(value);
        if (!parsed.success) throw new LineError(line, describeIssues(parsed.error));
        pending.push({ line, petition: { ...parsed.data, store: opts.store && parsed.data.store } });
        if (pending.length >= BATCH) await send();
        if (stopped) break;
      }
      if (!stopped) await send();
    } catch (e) {
      // a bad line: what came before it is still scored and written, then the run stops with its number
      failure ??= e as Error;
      if (!stopped) await send();
    }
    while (!stopped && nextToWrite < seq) {
      await drainUntilFailure();
      if (!stopped && nextToWrite < seq) await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    if (failure) throw failure;
    return wrote;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Scores and stores one batch in order; a conflicting id ends it (the lines before it are kept). */
async function storeInOrder(
  engine: Engine,
  batch: WorkerBatch,
  prepared: Array<{ analysis: unknown; vector: Float32Array | undefined; consulted: unknown }>,
): Promise<{ lines: string[]; failure: Error | null }> {
  const lines: string[] = [];
  for (let i = 0; i < batch.items.length; i++) {
    const { line, petition } = batch.items[i]!;
    const p = prepared[i]!;
    try {
      lines.push(JSON.stringify(await engine.score(petition as Petition, p.vector, revive(p.analysis as Analysis), p.consulted as Consultation | undefined)));
    } catch (e) {
      return { lines, failure: e instanceof PetitionConflictError ? new LineError(line, e.message) : (e as Error) };
    }
  }
  return { lines, failure: null };
}
