import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './errors.js';
import { auditRequest } from '../audit/audit-trail.js';
import type { Config } from '../config.js';
import { ModelError } from '../classifier/model.js';
import type { Runtime } from '../runtime.js';

const bin = fileURLToPath(new URL('../../bin/sito.js', import.meta.url));
const ModelInfo = z.object({ version: z.string(), source: z.string(), created_at: z.string(), active: z.boolean(), card: z.unknown() });

class UploadTooLarge extends Error {}

/** Copies the request stream to a file, stopping at `limit` bytes. */
async function saveUpload(stream: Readable, path: string, limit: number) {
  let bytes = 0;
  await pipeline(
    stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        bytes += chunk.length;
        if (bytes > limit) throw new UploadTooLarge();
        yield chunk;
      }
    },
    createWriteStream(path),
  );
}

/**
 * Runs `sito train` in its own process, so training never blocks scoring. The process is killed
 * when `signal` aborts: the client went away, or the training ran past its time.
 */
function runTraining(file: string, activate: boolean, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<{ code: number; out: string; err: string; killed: boolean }> {
  return new Promise((resolve) => {
    // one core stays with the requests being served
    const jobs = String(Math.max(1, availableParallelism() - 1));
    const child = spawn(process.execPath, [bin, 'train', file, '--jobs', jobs, ...(activate ? ['--activate'] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const kill = () => child.kill('SIGKILL');
    if (signal.aborted) kill();
    else signal.addEventListener('abort', kill, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => {
      signal.removeEventListener('abort', kill);
      resolve({ code: code ?? 1, out, err, killed: signal.aborted });
    });
  });
}

/** Model versions over HTTP, for the analyst role. */
export function registerModelRoutes(app: FastifyInstance, runtime: Runtime, config: Config, guard: preHandlerHookHandler) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const security = [{ apiKey: [] }];
  app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));
  let running = 0;

  r.get('/v1/models', { onRequest: guard, schema: { summary: 'Model versions; the active one is marked', security, response: { 200: z.object({ items: z.array(ModelInfo) }), 401: ErrorSchema, 403: ErrorSchema } } }, async () => ({
    items: await runtime.registry.list(),
  }));

  r.post(
    '/v1/models',
    {
      onRequest: guard,
      bodyLimit: config.trainUploadLimit,
      schema: {
        summary: 'Train a new model version from a labelled CSV (body: text/csv)',
        description: 'Columns text and label (mass|regular, masowa|zwykła); optional id, family, subject, sender_email, received_at. Training runs in its own process; scoring goes on.',
        security,
        querystring: z.object({ activate: z.enum(['true', 'false']).default('false') }),
        response: { 201: z.object({ version: z.string(), report: z.string() }), 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 429: ErrorSchema, 499: ErrorSchema, 504: ErrorSchema },
      },
    },
    async (req, reply) => {
      if (!(req.headers['content-type'] ?? '').startsWith('text/csv')) {
        return reply.code(415).send({ error: 'unsupported_media_type', message: 'content-type must be text/csv' });
      }
      // at most SITO_TRAINING_CONCURRENCY trainings at once in this process (each may take gigabytes)
      if (running >= config.trainingConcurrency) {
        return reply.code(429).header('retry-after', '60').send({ error: 'training_busy', message: `${running} training(s) already running (SITO_TRAINING_CONCURRENCY=${config.trainingConcurrency}); try again when it has finished` });
      }
      running++;
      const abort = new AbortController();
      const timeout = setTimeout(() => abort.abort(new Error('timeout')), config.trainingTimeoutSeconds * 1000);
      // the client went away before the answer: stop training for nobody
      const gone = () => {
        if (!reply.sent) abort.abort(new Error('client gone'));
      };
      req.raw.socket.once('close', gone);
      const dir = mkdtempSync(join(tmpdir(), 'sito-upload-'));
      const file = join(dir, 'training.csv');
      try {
        try {
          await saveUpload(req.body as Readable, file, config.trainUploadLimit);
        } catch (e) {
          if (e instanceof UploadTooLarge) return reply.code(413).send({ error: 'body_too_large', message: `the CSV exceeds ${config.trainUploadLimit} bytes` });
          throw e;
        }
        const res = await runTraining(file, req.query.activate === 'true', { ...process.env, SITO_DATA_DIR: config.dataDir, SITO_AUDITED_BY_CALLER: '1' }, abort.signal);
        if (res.killed) {
          const why = (abort.signal.reason as Error | undefined)?.message;
          return reply.code(why === 'timeout' ? 504 : 499).send({ error: why === 'timeout' ? 'training_timeout' : 'client_closed', message: why === 'timeout' ? `training stopped after ${config.trainingTimeoutSeconds} s (SITO_TRAINING_TIMEOUT_SECONDS)` : 'the client closed the connection; training stopped' });
        }
        if (res.code !== 0) return reply.code(400).send({ error: 'training_failed', message: res.err.trim().replace(/^sito: /, '').replace(file, 'body') || 'training failed' });
        const version = /trained (\S+)/.exec(res.out)?.[1] ?? '';
        await runtime.refreshModel();
        await auditRequest(runtime.store, req, 'train', version, { activated: req.query.activate === 'true' });
        return reply.code(201).send({ version, report: res.out });
      } finally {
        running--;
        clearTimeout(timeout);
        req.raw.socket.off('close', gone);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  const activateResponse = { 200: z.object({ active: z.string() }), 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
  r.post(
    '/v1/models/:version/activate',
    { onRequest: guard, schema: { summary: 'Activate a model version (swapped in at once, without a restart)', security, params: z.object({ version: z.string().min(1) }), response: activateResponse } },
    async (req, reply) => {
      try {
        const model = await runtime.registry.activate(req.params.version);
        runtime.engine.setModel(model);
        runtime.modelProblem = null;
        await auditRequest(runtime.store, req, 'activate', model.artifact.version);
        return { active: model.artifact.version };
      } catch (e) {
        if (e instanceof ModelError) return reply.code(/no model version/.test(e.message) ? 404 : 400).send({ error: 'model_refused', message: `version: ${e.message}` });
        throw e;
      }
    },
  );

  r.post('/v1/models/rollback', { onRequest: guard, schema: { summary: 'Activate the model that was active before the current one', security, response: activateResponse } }, async (req, reply) => {
    try {
      const model = await runtime.registry.rollback();
      runtime.engine.setModel(model);
      runtime.modelProblem = null;
      await auditRequest(runtime.store, req, 'rollback', model.artifact.version);
      return { active: model.artifact.version };
    } catch (e) {
      if (e instanceof ModelError) return reply.code(400).send({ error: 'model_refused', message: e.message });
      throw e;
    }
  });
}
