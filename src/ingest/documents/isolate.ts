import { Worker } from 'node:worker_threads';
import { DocumentError } from './errors.js';
import type { ExtractJob, ExtractReply } from './extract-worker.js';
import type { DocumentLimits, Extraction } from './types.js';

export interface PoolOptions {
  /** workers reading documents at once (the rest wait their turn) */
  size: number;
  /** time one document may take to extract, ms; past it the worker is ended */
  timeoutMs: number;
  /** heap of each worker, MB; a document that needs more ends its worker */
  memoryMb: number;
  /**
   * memory the process may grow by while documents are read, MB. Decoded streams (a PDF's
   * content, a zip entry) live outside the heap limit, so the process's resident size is watched
   * and the busy workers are ended when it grows past this.
   */
  growthMb: number;
  /** documents waiting beyond this many are refused at once */
  maxQueue: number;
}

export const DEFAULT_POOL: PoolOptions = { size: 2, timeoutMs: 30_000, memoryMb: 512, growthMb: 1024, maxQueue: 32 };

/** How often the resident size is sampled while documents are read, ms. */
const WATCH_MS = 25;

// in the TypeScript sources (tests, scripts) the worker runs through tsx; built, it is plain JS
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER_URL = new URL(`./extract-worker${ext}`, import.meta.url).href;
const BOOT = ext === '.ts' ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); })` : `import(${JSON.stringify(WORKER_URL)})`;

interface Slot {
  worker: Worker;
  busy: boolean;
  /** ends the running job, when there is one */
  abort?: (e: DocumentError) => void;
  /** resolves when the worker has loaded the readers (module loading is not timed as a document's work) */
  ready: Promise<void>;
}

/** Time a new worker may take to load the readers. */
const BOOT_TIMEOUT_MS = 60_000;

interface Pending {
  job: Omit<ExtractJob, 'id'>;
  resolve: (e: Extraction) => void;
  reject: (e: Error) => void;
}

/**
 * Extraction of untrusted documents off the event loop: worker threads with a heap limit, one
 * job each at a time, ended (and replaced) when a job runs past the time limit or out of memory.
 * The server keeps answering whatever a document does to its worker.
 */
export class ExtractionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private seq = 0;
  private closed = false;
  private watch: NodeJS.Timeout | null = null;
  /** resident size when the first of the running jobs started */
  private baseline = 0;

  constructor(readonly options: PoolOptions = DEFAULT_POOL) {}

  extract(bytes: Uint8Array, contentType: string | null | undefined, name: string | null, limits: DocumentLimits): Promise<Extraction> {
    if (this.closed) return Promise.reject(new Error('extraction pool closed'));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new DocumentError('busy', `${this.queue.length} documents are waiting to be read; try again shortly`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { bytes, contentType, name, limits }, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the document reader did not start')), BOOT_TIMEOUT_MS);
      const onMessage = (m: { ready?: boolean }) => {
        if (!m?.ready) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve();
      };
      const onError = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, busy: false, ready };
    this.slots.push(slot);
    return slot;
  }

  private drop(slot: Slot) {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  private pump() {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot) {
        if (this.slots.length >= this.options.size) return;
        slot = this.spawn();
      }
      this.run(slot, this.queue.shift()!);
    }
  }

  private run(slot: Slot, p: Pending) {
    slot.busy = true;
    slot.worker.ref();
    slot.ready.then(
      () => this.dispatch(slot, p),
      (e: Error) => {
        this.drop(slot);
        p.reject(e);
        this.pump();
      },
    );
  }

  /** Samples the resident size while any job runs; past the allowed growth every running job is ended. */
  private watchMemory() {
    if (!this.watch) {
      this.baseline = process.memoryUsage.rss();
      this.watch = setInterval(() => {
        const busy = this.slots.filter((s) => s.busy && s.abort);
        if (!busy.length) {
          clearInterval(this.watch!);
          this.watch = null;
          return;
        }
        const grown = process.memoryUsage.rss() - this.baseline;
        if (grown > this.options.growthMb * 1024 * 1024) {
          for (const s of busy) s.abort!(new DocumentError('too_large_expanded', `reading it needed more than ${this.options.growthMb} MB of memory (SITO_DOCUMENT_MEMORY); it expands too far`));
        }
      }, WATCH_MS);
      this.watch.unref();
    }
  }

  private dispatch(slot: Slot, p: Pending) {
    const id = ++this.seq;
    const { worker } = slot;
    let settled = false;
    const finish = (fn: () => void, healthy: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      slot.abort = undefined;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (healthy) {
        slot.busy = false;
        worker.unref();
      }
      else this.drop(slot);
      fn();
      this.pump();
    };
    const onMessage = (m: ExtractReply) => {
      if (m.id !== id) return;
      if (m.ok) finish(() => p.resolve(m.extraction), true);
      else finish(() => p.reject(new DocumentError(m.code, m.message)), true);
    };
    const onError = (e: Error & { code?: string }) => {
      const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|heap/i.test(e.message);
      finish(() => p.reject(new DocumentError(oom ? 'too_large_expanded' : 'corrupt', oom ? `${p.job.name ?? 'the document'} needs more than ${this.options.memoryMb} MB to read` : `${p.job.name ?? 'the document'} cannot be read (${e.message})`)), false);
    };
    const onExit = () => finish(() => p.reject(new DocumentError('corrupt', `${p.job.name ?? 'the document'} cannot be read (the reader stopped)`)), false);
    const timer = setTimeout(
      () => finish(() => p.reject(new DocumentError('timeout', `${p.job.name ?? 'the document'} took longer than ${this.options.timeoutMs / 1000} s to read (SITO_DOCUMENT_TIMEOUT)`)), false),
      this.options.timeoutMs,
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    // a busy worker keeps the process alive (the CLI waits for it); an idle one does not
    worker.ref();
    slot.abort = (e) => finish(() => p.reject(new DocumentError(e.code, `${p.job.name ?? 'the document'}: ${e.message}`)), false);
    this.watchMemory();
    const job: ExtractJob = { id, ...p.job };
    worker.postMessage(job);
  }

  async close() {
    this.closed = true;
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    for (const p of this.queue.splice(0)) p.reject(new Error('extraction pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
