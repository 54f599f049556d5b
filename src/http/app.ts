import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ScoreResultSchema } from '../decision/result.js';
import type { Engine } from '../engine.js';
import { prepareScoring, type Runtime } from '../runtime.js';
import { PetitionInputSchema } from '../ingest/petition-input.js';
import { registerApiProtection } from './api-protection.js';
import { apiKeyGuard } from './auth.js';
import { ErrorSchema, errorHandler } from './errors.js';
import { registerModelRoutes } from './model-routes.js';
import { registerReadRoutes } from './read-routes.js';
import { DOCUMENTS_OPENAPI_NOTE, registerDocumentDownload, registerDocumentRoutes } from './document-routes.js';
import { ExtractionPool } from '../ingest/documents/isolate.js';
import { documentSettings } from '../ingest/documents/settings.js';
import { registerAuditRoutes } from './audit-routes.js';
import { findSession, SESSION_COOKIE } from '../auth/sessions.js';
import { registerWebRoutes } from '../web/routes.js';
import { registerMetrics } from '../operations/metrics.js';
import { FairQueue } from './fair-queue.js';

export interface AppDeps {
  config: Config;
  engine: Engine;
  /** the model registry and reload hook; without it the model routes are not served */
  runtime?: Runtime;
  /** pino options or false; tests pass false */
  logger?: boolean | object;
}


function firstValues(query: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(query)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * What a log line says about a request: never a body, and the path without its query string (a
 * search for words of a petition would otherwise put them in the log).
 */
function requestForLog(req: { method: string; url: string; id: string; ip?: string; socket?: { remotePort?: number } }) {
  const q = req.url.indexOf('?');
  return { method: req.method, url: q === -1 ? req.url : `${req.url.slice(0, q)}?…`, id: req.id, remoteAddress: req.ip };
}

/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_MS = 72_000;

export async function buildApp({ config, engine, runtime, logger }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger === false ? false : { ...(typeof logger === 'object' ? logger : { level: config.logLevel }), serializers: { req: requestForLog } },
    bodyLimit: config.bodyLimit,
    // a caller's x-request-id is kept when it is a short token; anything else gets a fresh id
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // the whole request, body included, within this time (a trickled body is cut off)
    requestTimeout: config.requestTimeoutSeconds * 1000,
    // node checks request timeouts every connectionsCheckingInterval (30 s by default): often enough to honour the timeout
    // (a server of our own: fastify then applies none of its socket options — keepAliveTimeout,
    // connectionTimeout — so what is wanted of them is set here)
    serverFactory: (handler) => {
      const server = createServer({ requestTimeout: config.requestTimeoutSeconds * 1000, connectionsCheckingInterval: Math.min(30_000, Math.max(250, (config.requestTimeoutSeconds * 1000) / 4)) }, handler);
      // idle keep-alive sockets: longer than a client's or a proxy's own idle timeout (60 s is common),
      // so that the server never closes a socket just as the client sends on it again (node's own is 5 s)
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      return server;
    },
    trustProxy: config.trustProxy,
    // repeated query parameters (?q=a&q=b): the first one counts, so every handler sees strings
    routerOptions: { querystringParser: (str: string) => firstValues(str) },
    // a body with "__proto__" or "constructor.prototype" is refused (400 naming the key), not parsed
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // The API speaks JSON only: a text/plain body is refused with 415, not parsed as a string.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Pages carry no script: the policy allows none, and styles only from this origin.
  await app.register(fastifyHelmet, {
    // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with its own
    // forms, and the Origin check of sign-in and of the API could not tell them from another site's
    referrerPolicy: { policy: 'same-origin' },
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifyMultipart, { limits: { fileSize: 2 * 1024 * 1024, files: 1 } });
  app.decorateRequest('user', null);
  app.decorateRequest('apiKey', null);
  const store = engine.store;
  if (store) {
    app.addHook('onRequest', async (req) => {
      const token = req.cookies[SESSION_COOKIE];
      req.user = token ? await findSession(store, token) : null;
    });
  }
  // content types, Origin and the session's CSRF token on state-changing API requests
  registerApiProtection(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Sito',
        description: 'Screens petitions and flags mass-mailed and commercial-solicitation petitions, with reasons.',
        version: '1',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = apiKeyGuard(config.apiKeys);
  const ch = runtime?.clearinghouse;
  // one scoring per event-loop iteration, first come first served, so that a busy process still
  // accepts connections and reads requests between two scorings (src/http/fair-queue.ts)
  const scoring = new FairQueue({ limit: config.scoringQueue });
  // closing: new requests are refused with 503 from here on; the scorings already queued finish
  // before the server closes and the store with it, whether or not their clients still wait (for
  // at most a request's own time limit: a scoring stuck on I/O does not hold the shutdown)
  app.addHook('preClose', async () => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), config.requestTimeoutSeconds * 1000)));
    const drained = await Promise.race([scoring.drain().then(() => true), limit]);
    clearTimeout(timer);
    if (!drained) app.log.error(`closing with ${scoring.waiting} scorings still queued after ${config.requestTimeoutSeconds} s`);
  });
  const metrics = registerMetrics(app, { engine, apiKeys: config.apiKeys, stats: store ? () => store.stats() : null, clearinghouse: ch ? () => ch.health() : null });

  r.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  r.get(
    '/health',
    {
      schema: {
        summary: 'Liveness and the active model',
        response: {
          200: z.object({
            status: z.literal('ok'),
            model: z.object({ version: z.string(), problem: z.string().nullable().describe('why the active model is not loaded, if it is not') }),
            rules: z.object({ count: z.number(), fingerprint: z.string(), office_profile: z.string().nullable().describe('the office profile (SITO_OFFICE_PROFILE) the rules know, if any') }),
            embedding: z.object({ loaded: z.boolean(), model: z.string().nullable(), dimension: z.number().nullable(), problem: z.string().nullable(), runtime: z.enum(['table', 'onnx']).optional() }),
            storage: z.object({ kind: z.string().nullable() }),
            clearinghouse: z
              .object({
                url: z.string(),
                reachable: z.boolean().nullable(),
                pending_reports: z.number().int().describe('reports and marks waiting in the outbox'),
                refused_reports: z
                  .number()
                  .int()
                  .describe('reports and marks the clearinghouse refused for good (a 4xx other than 401, 403, 408 and 429, or listed as rejected): moved to the table clearinghouse_refused, never sent again'),
                last_error: z.string().nullable(),
              })
              .nullable()
              .describe('the cross-office clearinghouse, when one is configured: reachable at the last attempt, reports waiting in the outbox, reports refused for good'),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      model: { version: engine.modelVersion, problem: runtime?.modelProblem ?? null },
      rules: { count: engine.rules.rules.length, fingerprint: engine.rules.fingerprint, office_profile: engine.rules.office },
      embedding: runtime?.embedding ?? { loaded: false, model: null, dimension: null, problem: null },
      storage: { kind: engine.store?.kind ?? null },
      clearinghouse: (await runtime?.clearinghouse?.health()) ?? null,
    }),
  );

  r.post(
    '/v1/petitions/score',
    {
      onRequest: guard,
      schema: {
        summary: 'Score one petition and explain the verdict',
        description: DOCUMENTS_OPENAPI_NOTE,
        body: PetitionInputSchema,
        security: [{ apiKey: [] }],
        response: { 200: ScoreResultSchema, 400: ErrorSchema, 401: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req) => {
      const result = await scoring.run(async () => {
        if (!runtime) return engine.score(req.body);
        const { analysis, vector, consulted } = await prepareScoring(runtime, req.body);
        return engine.score(req.body, vector, analysis, consulted);
      });
      metrics.recordVerdict(result.level);
      return result;
    },
  );

  // documents as offices receive them: the same score path, for bodies that are not JSON
  const documents = documentSettings(process.env, config.documents);
  const pool = new ExtractionPool(documents.pool);
  app.addHook('onClose', () => pool.close());
  await registerDocumentRoutes(app, { engine, runtime, settings: documents, pool, keeper: engine.store, guard, scoring });

  if (engine.store) {
    registerReadRoutes(app, engine.store, guard);
    registerDocumentDownload(app, engine.store, guard);
    registerAuditRoutes(app, engine.store, apiKeyGuard(config.apiKeys, ['analyst'], ['analyst']));
    await registerWebRoutes(app, engine, engine.store, runtime, { pool, settings: documents }, undefined, scoring);
  }
  if (runtime) registerModelRoutes(app, runtime, config, apiKeyGuard(config.apiKeys, ['analyst'], ['analyst']));

  return app;
}
