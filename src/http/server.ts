import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { openRuntime } from '../runtime.js';
import { buildApp } from './app.js';
import { isLoopback } from './auth.js';

/** Loads everything once, checks the security set-up, and listens. */
export async function startServer(config: Config, logger?: boolean | object): Promise<FastifyInstance> {
  if (config.apiKeys.length === 0 && !isLoopback(config.host)) {
    throw new Error(
      `refusing to listen on ${config.host} without an API key: set SITO_API_KEYS, or bind 127.0.0.1 (SITO_HOST)`,
    );
  }
  const runtime = openRuntime(config);
  const app = await buildApp({ config, engine: runtime.engine, ...(logger === undefined ? {} : { logger }) });
  app.addHook('onClose', async () => runtime.close());
  if (config.apiKeys.length === 0) {
    app.log.warn(`no API key configured (SITO_API_KEYS): the API answers without authentication, on loopback only`);
  }
  await app.listen({ host: config.host, port: config.port });
  return app;
}
