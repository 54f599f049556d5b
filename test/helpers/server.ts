import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { engine } from './engine.js';

export interface Running {
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}

/** A real Fastify server listening on 127.0.0.1 on a free port. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<Running> {
  const config = loadConfig({}, { port: 0, ...overrides });
  const app = await buildApp({ config, engine: engine(), logger: false });
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
