import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiKey } from '../config.js';
import type { Engine } from '../engine.js';
import { apiKeyGuard } from '../http/auth.js';
import type { ClearinghouseHealth } from '../clearinghouse/office.js';
import { clusterWorkerCount, workerMetrics } from './cluster-metrics.js';

export interface StoreStats {
  petitions: number;
  bytes: number;
}

/**
 * GET /metrics in the Prometheus text format (prom-client): request counts and latencies by route,
 * verdicts by level, the active model, the store's size, the clearinghouse's outbox and reachability
 * (when one is configured), and the process's own figures.
 *
 * Under `serve --workers N` each worker keeps its own registry, and the worker taking a scrape
 * answers with every worker's figures combined by the primary (cluster-metrics.ts). Each metric's
 * `aggregator` says how: counters and histograms (requests, latencies, verdicts) are summed — every
 * request was answered by exactly one worker; gauges describing what the workers share (the store,
 * the outbox, the model) take the `max`, since every worker reads the same thing and a sum would
 * count it N times; the clearinghouse's reachability takes the `min`, so one worker failing to
 * reach it shows. The process's own figures (`collectDefaultMetrics`) keep prom-client's choices:
 * memory, CPU, handles and file descriptors are summed over the processes (the service's total),
 * event-loop lag averaged (its min and max as named), the start time omitted, the Node version the
 * first worker's. With one process the scrape is that process's registry, as it always was.
 */
export function registerMetrics(app: FastifyInstance, opts: { engine: Engine; apiKeys: readonly ApiKey[]; stats: (() => Promise<StoreStats>) | null; clearinghouse?: (() => Promise<ClearinghouseHealth>) | null }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sito_' });
  const requests = new Counter({ name: 'sito_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'sito_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const verdicts = new Counter({ name: 'sito_verdicts_total', help: 'Petitions scored, by level', labelNames: ['level'], registers: [registry] });
  new Gauge({
    name: 'sito_model_info',
    help: 'The active model version (value 1)',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: opts.engine.modelVersion }, 1);
    },
    // 1 per version some worker runs (two versions while workers are switching), never N
    aggregator: 'max',
  });
  if (opts.stats) {
    const stats = opts.stats;
    let cached: { at: number; value: Promise<StoreStats> } | null = null;
    // one query per scrape at most every 5 s, however many gauges read it
    const read = () => {
      if (!cached || Date.now() - cached.at > 5000) cached = { at: Date.now(), value: stats() };
      return cached.value;
    };
    // the store is shared by the workers: each reads the same figure (cached up to 5 s; max takes the freshest as it grows)
    new Gauge({ name: 'sito_store_petitions', help: 'Petitions in the store', registers: [registry], aggregator: 'max', async collect() { this.set((await read()).petitions); } });
    new Gauge({ name: 'sito_store_bytes', help: 'Size of the database file', registers: [registry], aggregator: 'max', async collect() { this.set((await read()).bytes); } });
  }

  if (opts.clearinghouse) {
    const health = opts.clearinghouse;
    // the outbox is a table in the shared store: every worker counts the same rows
    new Gauge({ name: 'sito_clearinghouse_pending_reports', help: 'Reports and marks waiting in the outbox for the clearinghouse', registers: [registry], aggregator: 'max', async collect() { this.set((await health()).pending_reports); } });
    new Gauge({
      name: 'sito_clearinghouse_refused_reports',
      help: 'Reports and marks the clearinghouse refused for good (kept in the table clearinghouse_refused, never sent again)',
      registers: [registry],
      aggregator: 'max',
      async collect() {
        this.set((await health()).refused_reports);
      },
    });
    new Gauge({
      name: 'sito_clearinghouse_reachable',
      help: 'Whether the clearinghouse answered the last attempt (1), did not (0), or has not been tried yet (-1)',
      registers: [registry],
      // each worker tries on its own: 1 only when every worker's last attempt reached it (a worker
      // that has not tried yet, such as one just restarted, gives -1)
      aggregator: 'min',
      async collect() {
        const r = (await health()).reachable;
        this.set(r === null ? -1 : r ? 1 : 0);
      },
    });
  }

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  // open on loopback without keys (the server refuses other addresses then); with keys, an analyst key or a metrics key
  const guard = apiKeyGuard(opts.apiKeys, ['analyst', 'metrics'], ['analyst']);
  // one of several workers: the scrape describes them all
  const shared = clusterWorkerCount() ? workerMetrics(registry) : null;
  if (shared) app.addHook('onClose', async () => shared.close());
  app.get('/metrics', { onRequest: guard, schema: { summary: 'Prometheus metrics', security: [{ apiKey: [] }] } }, async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!shared) return reply.type(registry.contentType).send(await registry.metrics());
    try {
      return reply.type(registry.contentType).send(await shared.scrape());
    } catch (e) {
      return reply.code(503).type('text/plain; charset=utf-8').send(`the workers' figures could not be combined: ${(e as Error).message}\n`);
    }
  });

  return { recordVerdict: (level: string) => verdicts.inc({ level }) };
}
