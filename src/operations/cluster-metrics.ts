import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * /metrics for the whole of `serve --workers N`. Each worker keeps its own prom-client registry;
 * whichever worker takes a scrape asks the primary over the cluster's IPC channel, the primary asks
 * every listening worker for its figures (`getMetricsAsJSON()`) and combines them with prom-client's
 * `AggregatorRegistry.aggregate` — a sum unless a metric says otherwise (its `aggregator`, chosen
 * metric by metric in metrics.ts). A worker that has not answered within WORKER_WAIT_MS is left out;
 * the scrape says how many gave their figures (`sito_workers`), how many were configured
 * (`sito_workers_configured`) and how many are missing (`sito_metrics_workers_missing`).
 *
 * Only the static `aggregate` is used: constructing an AggregatorRegistry would make every worker
 * answer prom-client's own requests with the global registry, which Sito does not fill.
 */

/** How long the primary waits for a worker's figures before leaving it out. */
export const WORKER_WAIT_MS = 2000;
/** How long a worker waits for the primary's combined answer (its wait, plus room to combine). */
const PRIMARY_WAIT_MS = WORKER_WAIT_MS + 1000;

// worker → primary: a scrape arrived, send the combined figures
const ASK = 'sito:metrics:ask';
// primary → worker: the combined figures in the text format
const ANSWER = 'sito:metrics:answer';
// primary → every worker: send your registry's figures
const COLLECT = 'sito:metrics:collect';
// worker → primary: this worker's figures
const FIGURES = 'sito:metrics:figures';

/** One registry's figures, as `Registry.getMetricsAsJSON()` gives them. */
type Figures = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** A message's callback: a channel closing between the check and the send is not an error event (which would end the process). */
const ignore = () => undefined;

interface Message {
  type?: unknown;
  id?: unknown;
}

/** The number of workers the primary started (it passes SITO_CLUSTER_WORKERS to each; set only by the primary, so a process under another cluster manager is never mistaken for one of Sito's workers), when this process is one of several. */
export function clusterWorkerCount(env: NodeJS.ProcessEnv = process.env): number | null {
  if (!cluster.isWorker || !process.send) return null;
  const n = Number(env.SITO_CLUSTER_WORKERS);
  return Number.isInteger(n) && n > 1 ? n : null;
}

/**
 * Combines the figures of the workers that answered into one text-format scrape, with
 * `sito_workers`, `sito_workers_configured` and `sito_metrics_workers_missing` added.
 */
export async function combineFigures(answers: readonly Figures[], configured: number): Promise<string> {
  const gauge = (name: string, help: string, value: number) => ({ name, help, type: 'gauge', aggregator: 'first', values: [{ value, labels: {} }] });
  const service = [
    gauge('sito_workers', 'Workers whose figures this scrape combines', answers.length),
    gauge('sito_workers_configured', 'Workers the service was started with (serve --workers N)', configured),
    gauge('sito_metrics_workers_missing', `Workers left out of this scrape (not answering within ${WORKER_WAIT_MS / 1000} s, or not running)`, Math.max(0, configured - answers.length)),
  ];
  return AggregatorRegistry.aggregate([...answers, service]).metrics();
}

/**
 * The primary's side: answers workers' scrapes with every listening worker's figures combined.
 * `workers` lists the workers to ask (those that listen); returns a function that stops answering.
 */
export function serveClusterMetrics(configured: number, workers: () => Worker[]): () => void {
  let nextId = 0;
  const waiting = new Map<number, { answers: Figures[]; pending: Set<number>; finish: () => void }>();
  // scrapes arriving while the workers are being asked share that round
  let round: Promise<string> | null = null;

  const collect = (): Promise<string> =>
    new Promise<Figures[]>((resolve) => {
      const id = nextId++;
      const asked = workers().filter((w) => w.isConnected());
      const entry = {
        answers: [] as Figures[],
        pending: new Set(asked.map((w) => w.id)),
        finish: () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(entry.answers);
        },
      };
      const timer = setTimeout(entry.finish, WORKER_WAIT_MS);
      waiting.set(id, entry);
      for (const w of asked) {
        try {
          w.send({ type: COLLECT, id }, ignore);
        } catch {
          entry.pending.delete(w.id);
        }
      }
      if (entry.pending.size === 0) entry.finish();
    }).then((answers) => combineFigures(answers, configured));

  const onMessage = (worker: Worker, message: Message & { figures?: Figures }) => {
    if (message?.type === FIGURES && typeof message.id === 'number') {
      const entry = waiting.get(message.id);
      if (!entry || !entry.pending.delete(worker.id)) return; // a late answer to a round already closed
      entry.answers.push(message.figures ?? []);
      if (entry.pending.size === 0) entry.finish();
    } else if (message?.type === ASK) {
      const asked = message.id;
      round ??= collect().finally(() => (round = null));
      round.then(
        (text) => worker.isConnected() && worker.send({ type: ANSWER, id: asked, text }, ignore),
        (e: unknown) => worker.isConnected() && worker.send({ type: ANSWER, id: asked, error: e instanceof Error ? e.message : String(e) }, ignore),
      );
    }
  };
  // a worker that exits during a round will not answer: do not wait the full WORKER_WAIT_MS for it
  const onExit = (worker: Worker) => {
    for (const entry of waiting.values()) if (entry.pending.delete(worker.id) && entry.pending.size === 0) entry.finish();
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return () => {
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
  };
}

/**
 * A worker's side: gives its registry's figures when the primary asks, and turns a scrape into a
 * question to the primary. Returns `scrape` (the combined text) and `close` (stops listening).
 */
export function workerMetrics(registry: Registry) {
  let nextId = 0;
  const asking = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();
  const onMessage = (message: Message & { text?: string; error?: string }) => {
    if (message?.type === COLLECT) {
      registry.getMetricsAsJSON().then(
        (figures) => process.connected && process.send?.({ type: FIGURES, id: message.id, figures }, undefined, undefined, ignore),
        () => process.connected && process.send?.({ type: FIGURES, id: message.id, figures: [] }, undefined, undefined, ignore),
      );
    } else if (message?.type === ANSWER && typeof message.id === 'number') {
      const a = asking.get(message.id);
      if (!a) return;
      asking.delete(message.id);
      if (typeof message.text === 'string') a.resolve(message.text);
      else a.reject(new Error(message.error ?? 'the primary gave no figures'));
    }
  };
  process.on('message', onMessage);
  return {
    scrape: (): Promise<string> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          asking.delete(id);
          reject(new Error(`the primary did not answer within ${PRIMARY_WAIT_MS / 1000} s`));
        }, PRIMARY_WAIT_MS);
        asking.set(id, {
          resolve: (t) => (clearTimeout(timer), resolve(t)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        try {
          if (!process.connected || !process.send) throw new Error('the worker lost its channel to the primary');
          process.send({ type: ASK, id }, undefined, undefined, (e: Error | null) => {
            if (!e) return;
            asking.get(id)?.reject(e);
            asking.delete(id);
          });
        } catch (e) {
          asking.get(id)?.reject(e instanceof Error ? e : new Error(String(e)));
          asking.delete(id);
        }
      }),
    close: () => {
      process.off('message', onMessage);
      for (const a of asking.values()) a.reject(new Error('the server is closing'));
      asking.clear();
    },
  };
}
