import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { attachEmbedding, openRuntime, takeInStoredVectors } from '../runtime.js';
import { buildApp } from './app.js';
import { startRetention } from '../operations/erase.js';
import { isLoopback } from './auth.js';

/** Loads everything once, checks the security set-up, and listens. */
export async function startServer(config: Config, logger?: boolean | object): Promise<FastifyInstance> {
  if (config.apiKeys.length === 0 && !isLoopback(config.host)) {
    throw new Error(
      `refusing to listen on ${config.host} without an API key: set SITO_API_KEYS, or bind 127.0.0.1 (SITO_HOST)`,
    );
  }
  const runtime = await openRuntime(config);
  const embedding = await attachEmbedding(runtime, config);
  const app = await buildApp({ config, engine: runtime.engine, runtime, ...(logger === undefined ? {} : { logger }) });
  if (runtime.modelProblem) app.log.error(`active model not loaded, scoring with the rules only: ${runtime.modelProblem}`);
  else app.log.info(`model ${runtime.engine.modelVersion}`);
  if (embedding.loaded) app.log.info(`embedding model ${embedding.model} (${embedding.dimension} dimensions)`);
  else if (embedding.problem) app.log.error(`scoring without the embedding signal: ${embedding.problem}`);
  // A model activated by another process (sito model activate) is picked up within two seconds;
  // on PostgreSQL, so are the vectors other instances stored (for the embedding signal).
  const shared = runtime.store.kind === 'postgres';
  let refreshing = false;
  const poll = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    runtime
      .refreshModel()
      .then(async (r) => {
        if (r.changed) r.problem ? app.log.error(`model not loaded: ${r.problem}`) : app.log.info(`model swapped to ${r.version}`);
        if (shared) await takeInStoredVectors(runtime);
      })
      .catch((e: unknown) => app.log.error({ err: e }, 'model refresh failed'))
      .finally(() => (refreshing = false));
  }, 2000);
  poll.unref();
  const stopRetention = config.retentionDays ? startRetention(runtime.store, config.retentionDays, app.log) : () => {};
  const ch = runtime.clearinghouse;
  if (ch) {
    ch.setLogger((level, msg) => app.log[level](msg));
    ch.start();
    app.log.info(`clearinghouse ${ch.url}: ${await ch.pending()} reports waiting`);
  }
  app.addHook('onClose', async () => {
    stopRetention();
    clearInterval(poll);
    await ch?.stop();
    await runtime.close();
  });
  if (config.apiKeys.length === 0) {
    app.log.warn(`no API key configured (SITO_API_KEYS): the API answers without authentication, on loopback only`);
  }
  await app.listen({ host: config.host, port: config.port });
  return app;
}
