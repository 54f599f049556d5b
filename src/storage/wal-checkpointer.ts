/**
 * Checkpoints of a WAL database on a thread of their own.
 *
 * In WAL mode every commit appends the pages it changed to the log, and a checkpoint copies them back
 * into the database file. SQLite checkpoints inside the commit that crosses `wal_autocheckpoint`
 * pages, on the writing thread: for a store whose writes land on random pages of large indexes (the
 * clearinghouse's LSH index: 85 band keys a new text) that copy is a large part of the writer's
 * time. A thread with its own connection runs passive checkpoints beside the writer, on another core,
 * and the writer's own automatic checkpoint stays as a backstop (it finds the log mostly copied and
 * then lets the log start again from its beginning).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointer {
  close(): Promise<void>;
}

export interface WalCheckpointerOptions {
  /** how often the thread checkpoints (ms) */
  everyMs?: number;
  /** told when the thread cannot checkpoint for another reason than a busy database */
  onProblem?: (message: string) => void;
}

/**
 * The thread: its own connection and a passive checkpoint every `everyMs`. A passive checkpoint
 * never waits for the writer or for readers: it copies the frames it can now, the rest next time.
 * SQLITE_BUSY (a checkpoint already running elsewhere) is a turn skipped. Plain CommonJS, so that it
 * runs the same from the sources and from dist/.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    if (!String((e && e.code) || '').startsWith('SQLITE_BUSY')) parentPort.postMessage({ problem: e.message });
  }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startWalCheckpointer(path: string, opts: WalCheckpointerOptions = {}): WalCheckpointer {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { path, sqlite, everyMs: opts.everyMs ?? 100 } });
  worker.unref();
  worker.on('message', (m: { problem?: string }) => m.problem && opts.onProblem?.(m.problem));
  // a thread that cannot start (or dies) costs only speed: the writer's own checkpoints go on
  worker.on('error', (e) => opts.onProblem?.(e.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async close() {
      // held by the thread until it has closed its connection (unreferenced, a process whose last
      // work is this close would end with the promise unsettled)
      worker.ref();
      worker.postMessage('close');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
