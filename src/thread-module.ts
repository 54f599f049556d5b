import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` next to the calling one (`from`: its import.meta.url).
 * From dist/, the plain JS module. From the TypeScript sources (tests, scripts), the thread first
 * registers tsx's loader itself: Node 20 does not carry `--import tsx` into a worker's module
 * loading (the thread failed with "Unknown file extension .ts").
 */
export function startThread(from: string, name: string, options: WorkerOptions = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), options);
  const url = new URL(`./${name}.ts`, from).href;
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`, { ...options, eval: true });
}
