import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { Engine } from '../../src/engine.js';
import { buildApp } from '../../src/http/app.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { thresholds } from './engine.js';
import { tempDir } from './sito-process.js';

export interface Running {
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}

/** A real Fastify server listening on 127.0.0.1 on a free port, over a real SQLite file. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<Running> {
  const config = loadConfig({}, { port: 0, dataDir: tempDir(), ...overrides });
  const store = SqliteStore.open(config.dataDir);
  const engine = new Engine({ rules: loadRules(), thresholds, store });
  const app = await buildApp({ config, engine, logger: false });
  app.addHook('onClose', async () => store.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return { app, url: `http://127.0.0.1:${addr.port}`, close: () => app.close() };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}
