import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isLoopback } from '../http/auth.js';
import { ErrorSchema, errorHandler } from '../http/errors.js';
import { decodeSignature } from './keyed-fingerprint.js';
import { checkReportBatch, LookupAnswerSchema, LookupSchema, MarkBodySchema, MarkSchema, ReportBatchAnswerSchema } from './protocol.js';
import type { ClearinghouseStore } from './store.js';
import { commaList } from '../config.js';
import { bearerToken } from '../http/auth.js';

export interface OfficeKey {
  key: string;
  office: string;
}

/** "KEY:office-id,KEY2:office-2" → keys; an office id is letters, digits, "-", "_" and "." */
export function parseOfficeKeys(value: string): OfficeKey[] {
  return commaList(value).map((entry) => {
    const i = entry.lastIndexOf(':');
    if (i <= 0 || i === entry.length - 1) throw new Error('SITO_CLEARINGHOUSE_KEYS: each entry must be KEY:office-id');
    const office = entry.slice(i + 1);
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(office)) throw new Error(`SITO_CLEARINGHOUSE_KEYS: office id "${office.slice(0, 40)}" may hold only letters, digits, ".", "_" and "-"`);
    const key = entry.slice(0, i);
    if (key.length < 16) throw new Error(`SITO_CLEARINGHOUSE_KEYS: the key of ${office} is shorter than 16 characters`);
    return { key, office };
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the office whose key authenticated the request */
    office: string;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer office keys, found by their SHA-256 digest (a country has thousands of offices: a map,
 * not a comparison with every key; equal digests reveal nothing about a key). Without keys
 * (loopback only) every caller is the office named in X-Sito-Office, or "local".
 */
function officeGuard(keys: readonly OfficeKey[]) {
  const byDigest = new Map(keys.map((k) => [digest(k.key).toString('base64'), k.office]));
  return async function guard(req: FastifyRequest, reply: FastifyReply) {
    if (byDigest.size === 0) {
      const named = req.headers['x-sito-office'];
      req.office = typeof named === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(named) ? named : 'local';
      return;
    }
    const token = bearerToken(req.headers.authorization);
    const found = token ? byDigest.get(digest(token).toString('base64')) : undefined;
    if (found) {
      req.office = found;
      return;
    }
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'authorization: send "Authorization: Bearer <office key>"' });
  };
}

export interface ClearinghouseAppOptions {
  store: ClearinghouseStore;
  keys: readonly OfficeKey[];
  logger?: boolean | object;
}

export async function buildClearinghouseApp({ store, keys, logger }: ClearinghouseAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: logger ?? false, bodyLimit: 8 * 1024 * 1024, genReqId: () => randomUUID() });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('office', '');
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = officeGuard(keys);

  r.get('/health', { schema: { response: { 200: z.object({ status: z.literal('ok'), storage: z.object({ kind: z.string() }), offices_configured: z.number().int() }) } } }, async () => ({
    status: 'ok' as const,
    storage: { kind: store.kind },
    offices_configured: keys.length,
  }));

  // the batch is checked by checkReportBatch (ReportBatchSchema's rules, cheaper): see protocol.ts
  r.post('/v1/reports', { onRequest: guard, schema: { response: { 200: ReportBatchAnswerSchema, 400: ErrorSchema, 401: ErrorSchema } } }, async (req, reply) => {
    const batch = checkReportBatch(req.body);
    if ('problem' in batch) return reply.code(400).send({ error: 'invalid_request', message: batch.problem });
    return store.addReports(
      req.office,
      batch.reports.map((x) => ({ id: x.id, fingerprint: { signature: decodeSignature(x.signature), shingles: x.shingles }, receivedDay: x.received_day, mark: x.mark ?? null })),
    );
  });

  const IdParams = z.object({ id: z.uuid('id must be a report UUID') });
  const notFound = (reply: FastifyReply) => reply.code(404).send({ error: 'not_found', message: 'id: this office has no such report' });

  r.put(
    '/v1/reports/:id/mark',
    { onRequest: guard, schema: { params: IdParams, body: MarkBodySchema, response: { 200: z.object({ id: z.string(), mark: MarkSchema }), 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => ((await store.setMark(req.office, req.params.id, req.body.mark)) ? { id: req.params.id, mark: req.body.mark } : notFound(reply)),
  );

  r.get(
    '/v1/reports/:id',
    { onRequest: guard, schema: { params: IdParams, response: { 200: z.object({ id: z.string(), received_day: z.string(), mark: MarkSchema }), 401: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => (await store.ownReport(req.office, req.params.id)) ?? notFound(reply),
  );

  r.post(
    '/v1/lookup',
    { onRequest: guard, schema: { body: LookupSchema, response: { 200: LookupAnswerSchema, 400: ErrorSchema, 401: ErrorSchema } } },
    async (req) => store.lookup(req.office, { signature: decodeSignature(req.body.signature), shingles: req.body.shingles }),
  );

  return app;
}

/** Refuses an unauthenticated clearinghouse anywhere but loopback. */
export function checkBind(host: string, keys: readonly OfficeKey[]) {
  if (keys.length === 0 && !isLoopback(host)) {
    throw new Error(`refusing to listen on ${host} without office keys: set SITO_CLEARINGHOUSE_KEYS="KEY:office-id,…", or bind 127.0.0.1`);
  }
}
