import { randomUUID } from 'node:crypto';
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
import { apiKeyGuard } from './auth.js';
import { ErrorSchema, errorHandler } from './errors.js';
import { registerModelRoutes } from './model-routes.js';
import { registerReadRoutes } from './read-routes.js';
import { findSession, SESSION_COOKIE } from '../auth/sessions.js';
import { registerWebRoutes } from '../web/routes.js';

export interface AppDeps {
  config: Config;
  engine: Engine;
  /** the model registry and reload hook; without it the model routes are not served */
  runtime?: Runtime;
  /** pino options or false; tests pass false */
  logger?: boolean | object;
}


export async function buildApp({ config, engine, runtime, logger }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
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
  const store = engine.store;
  if (store) {
    app.addHook('onRequest', async (req) => {
      const token = req.cookies[SESSION_COOKIE];
      req.user = token ? findSession(store, token) : null;
    });
  }

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
            rules: z.object({ count: z.number(), fingerprint: z.string() }),
            embedding: z.object({ loaded: z.boolean(), model: z.string().nullable(), dimension: z.number().nullable(), problem: z.string().nullable() }),
            storage: z.object({ kind: z.string().nullable() }),
            clearinghouse: z
              .object({ url: z.string(), reachable: z.boolean().nullable(), pending_reports: z.number().int(), last_error: z.string().nullable() })
              .nullable()
              .describe('the cross-office clearinghouse, when one is configured: reachable at the last attempt, reports waiting in the outbox'),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      model: { version: engine.modelVersion, problem: runtime?.modelProblem ?? null },
      rules: { count: engine.rules.rules.length, fingerprint: engine.rules.fingerprint },
      embedding: runtime?.embedding ?? { loaded: false, model: null, dimension: null, problem: null },
      storage: { kind: engine.store ? 'sqlite' : null },
      clearinghouse: runtime?.clearinghouse?.health() ?? null,
    }),
  );

  r.post(
    '/v1/petitions/score',
    {
      onRequest: guard,
      schema: {
        summary: 'Score one petition and explain the verdict',
        body: PetitionInputSchema,
        security: [{ apiKey: [] }],
        response: { 200: ScoreResultSchema, 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema },
      },
    },
    async (req) => {
      if (!runtime) return engine.score(req.body);
      const { analysis, vector, consulted } = await prepareScoring(runtime, req.body);
      return engine.score(req.body, vector, analysis, consulted);
    },
  );

  if (engine.store) {
    registerReadRoutes(app, engine.store, guard);
    registerWebRoutes(app, engine, engine.store, runtime);
  }
  if (runtime) registerModelRoutes(app, runtime, config, apiKeyGuard(config.apiKeys, ['analyst'], ['analyst']));

  return app;
}
