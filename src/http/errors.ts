import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PetitionConflictError } from '../engine.js';
import { QueueFullError } from './fair-queue.js';

/** The body of every error answer. */
export const ErrorSchema = z.object({ error: z.string(), message: z.string() });

interface ValidationItem {
  instancePath?: string;
  message?: string;
}

function fieldOf(item: ValidationItem): string {
  const path = (item.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  return path || 'body';
}

/**
 * Storage errors an operator must act on: a full disk (507), a database that cannot be written or
 * reached (503) — SQLite's codes, PostgreSQL's SQLSTATEs (53100 disk full, class 08 connection,
 * 57P0x shut down) and the network's.
 */
export function storageProblem(err: { code?: string | undefined }): { status: number; error: string; message: string } | null {
  switch (err.code) {
    case 'SQLITE_FULL':
    case '53100':
      return { status: 507, error: 'storage_full', message: 'the disk holding the database is full: nothing was stored; free space in SITO_DATA_DIR and send again' };
    case 'SQLITE_READONLY':
    case 'SQLITE_IOERR':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_BUSY':
    case '08000':
    case '08001':
    case '08003':
    case '08006':
    case '57P01':
    case '57P02':
    case '57P03':
    case '53300':
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
      return { status: 503, error: 'storage_unavailable', message: `the database cannot be written now (${err.code}): nothing was stored; send again later` };
  }
  return null;
}

/** Every error leaves as JSON `{ error, message }`; a 5xx never shows internals to the caller. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if ((err as unknown) instanceof PetitionConflictError) {
    return reply.code(409).send({ error: 'conflict', message: err.message });
  }
  if ((err as unknown) instanceof QueueFullError) {
    const full = err as unknown as QueueFullError;
    return reply
      .code(503)
      .header('retry-after', String(full.retryAfter))
      .send({ error: 'overloaded', message: `${full.waiting} scorings are waiting in this process (SITO_SCORING_QUEUE): nothing was scored or stored; send again in ${full.retryAfter} s` });
  }
  if (err.validation) {
    const message = (err.validation as ValidationItem[])
      .slice(0, 5)
      .map((v) => {
        const field = fieldOf(v);
        const msg = v.message ?? 'is invalid';
        return msg.startsWith(`${field} `) ? msg : `${field}: ${msg}`;
      })
      .join('; ');
    return reply.code(400).send({ error: 'invalid_request', message });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send({ error: 'body_too_large', message: `request body exceeds the limit of ${req.routeOptions.bodyLimit ?? 0} bytes` });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(415).send({ error: 'unsupported_media_type', message: `content-type must be application/json (got ${req.headers['content-type'] ?? 'none'})` });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send({ error: 'invalid_json', message: 'body: the JSON body is empty' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // fastify's parser (secure-json-parse) also lands here for a "__proto__" or "constructor.prototype" key: refused, never merged
      return reply.code(400).send({ error: 'invalid_json', message: 'body: malformed JSON, or a "__proto__" / "constructor.prototype" key (not accepted)' });
  }
  const storage = storageProblem(err);
  if (storage) {
    req.log.error({ err }, 'storage failed');
    return reply.code(storage.status).send({ error: storage.error, message: storage.message });
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return reply.code(400).send({ error: 'invalid_json', message: `body: malformed JSON (${err.message})` });
  }
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error; the request id is in the x-request-id header' });
  }
  return reply.code(status).send({ error: err.code ?? 'error', message: err.message });
}
