import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ScoreResultSchema } from '../decision/result.js';
import type { Engine } from '../engine.js';
import { ACCEPTED_MEDIA_TYPES, mediaType } from '../ingest/documents/detect.js';
import { DocumentError } from '../ingest/documents/errors.js';
import type { ExtractionPool } from '../ingest/documents/isolate.js';
import { scoreDocument, type DocumentKeeper } from '../ingest/documents/score-document.js';
import type { DocumentSettings } from '../ingest/documents/settings.js';
import type { Runtime } from '../runtime.js';
import { ErrorSchema } from './errors.js';
import type { Store } from '../storage/store.js';
import type { FairQueue } from './fair-queue.js';

export const DocumentPartSchema = z.object({
  name: z.string().describe('file name, or "treść wiadomości" for an e-mail body; nested parts as "outer › inner"'),
  type: z.string().describe('media type of the part'),
  role: z.enum(['body', 'cover_note', 'attachment']).describe('cover_note: an e-mail body that only sends the attachment ("w załączeniu…")'),
  start: z.number().int().describe('UTF-16 offset into document.text'),
  end: z.number().int(),
  ocr: z.boolean().describe('read by OCR (a scan or an image)'),
});
export const SkippedSchema = z.object({ name: z.string(), reason: z.string(), code: z.string().optional() });
export const DocumentSchema = z.object({
  text: z.string().describe('the text that was scored; evidence offsets index it'),
  parts: z.array(DocumentPartSchema),
  skipped: z.array(SkippedSchema).describe('parts that could not be read, and why'),
});
export const DocumentScoreSchema = ScoreResultSchema.extend({ document: DocumentSchema });

const Query = z.object({
  id: z.string().min(1).max(200).optional(),
  store: z
    .enum(['true', 'false', '1', '0'], { error: 'store must be true or false' })
    .optional()
    .transform((v) => v === undefined || v === 'true' || v === '1'),
});

/** What the OpenAPI description of the score path says about documents. */
export const DOCUMENTS_OPENAPI_NOTE = `Also takes a document as received, as the raw body with its content type (${ACCEPTED_MEDIA_TYPES.join(', ')}) or as multipart/form-data with the field "file"; \`id\` and \`store\` then come as query parameters, and the answer adds \`document\`: {text, parts [{name, type, role, start, end, ocr}], skipped [{name, reason, code}]}. An unreadable document → 413/415/422 {error, message}.`;

/** Requests to the score endpoint that carry a document: any body that is not JSON. */
const isDocumentRequest = (contentType: string | undefined) => {
  const t = mediaType(contentType);
  return t !== '' && t !== 'application/json' && !t.endsWith('+json');
};

export interface DocumentRouteDeps {
  engine: Engine;
  runtime?: Runtime | undefined;
  settings: DocumentSettings;
  pool: ExtractionPool;
  keeper: DocumentKeeper | null;
  guard: preHandlerHookHandler;
  /** the scoring step takes its turn here (one per event-loop iteration); reading the document does not */
  scoring?: FairQueue;
}

const sendError = (reply: FastifyReply, e: DocumentError) => reply.code(e.status).send({ error: e.code, message: e.message });

/**
 * POST /v1/petitions/score with a document body (e-mail, PDF, DOCX, ODT, .msg, text, image) or
 * multipart/form-data with the field `file`. A route constraint on the content type sends these
 * requests here and JSON to the JSON route, which stays as it was; the document parsers are
 * registered in this plugin only, so no other route accepts non-JSON bodies.
 */
export async function registerDocumentRoutes(app: FastifyInstance, deps: DocumentRouteDeps) {
  const { settings, pool } = deps;
  app.addConstraintStrategy({
    name: 'sitoDocument',
    storage() {
      const m = new Map<string, unknown>();
      return { get: (k: string) => (m.get(k) ?? null) as never, set: (k: string, v: unknown) => void m.set(k, v) };
    },
    deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) => (isDocumentRequest(req.headers['content-type'] as string | undefined) ? 'document' : 'json'),
    mustMatchWhenDerived: false,
  });

  await app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: settings.limits.maxBytes }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();
    r.post(
      '/v1/petitions/score',
      {
        constraints: { sitoDocument: 'document' },
        onRequest: deps.guard,
        bodyLimit: settings.limits.maxBytes,
        schema: {
          // the OpenAPI document describes this path once, by the JSON route (its description names the documents)
          hide: true,
          summary: 'Score a petition as received: an e-mail, PDF (OCR for scans), DOCX, ODT, Outlook .msg, text or image',
          description: `Raw body with its content type (${ACCEPTED_MEDIA_TYPES.join(', ')}) or multipart/form-data with the field "file". Same path as the JSON body; the answer adds "document".`,
          querystring: Query,
          security: [{ apiKey: [] }],
          response: { 200: DocumentScoreSchema, 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema, 503: ErrorSchema },
        },
      },
      async (req, reply) => {
        const got = await documentOf(req, settings.limits.maxBytes);
        if (got instanceof DocumentError) return sendError(reply, got);
        if ('error' in got) return reply.code(400).send(got);
        // the client went away before its answer: OCR still running is killed
        const abort = new AbortController();
        const onClose = () => void (!reply.raw.writableFinished && abort.abort());
        reply.raw.once('close', onClose);
        try {
          return await scoreDocument(
            { engine: deps.engine, embedder: deps.runtime?.embedder ?? null, pool, settings, keeper: deps.keeper, signal: abort.signal, ...(deps.scoring ? { scoring: deps.scoring } : {}) },
            { ...got, id: req.query.id, store: req.query.store },
          );
        } catch (e) {
          if (e instanceof DocumentError) return sendError(reply, e);
          throw e;
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    );
  });
}

/** `attachment; filename="ascii"; filename*=UTF-8''…` — the name can neither break the header nor be a path. */
export function contentDisposition(filename: string | null, fallback: string): string {
  const name = (filename ?? fallback).replace(/[\\/\r\n\0]/g, '_').slice(-150) || fallback;
  const ascii = name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\;%]/g, '_').trim() || fallback;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const EXTENSION: Record<string, string> = {
  'message/rfc822': 'eml',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.ms-outlook': 'msg',
  'text/plain': 'txt',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/tiff': 'tif',
};

/** GET /v1/petitions/:id/document — the original file a stored petition arrived as. */
export function registerDocumentDownload(app: FastifyInstance, store: Pick<Store, 'document'>, guard: preHandlerHookHandler) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/petitions/:id/document',
    {
      onRequest: guard,
      schema: {
        summary: 'The original document a stored petition arrived as (e-mail, PDF, DOCX…)',
        params: z.object({ id: z.string().min(1).max(200) }),
        security: [{ apiKey: [] }],
        response: { 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const d = await store.document(req.params.id, true);
      if (!d) return reply.code(404).send({ error: 'not_found', message: `id: petition ${req.params.id} has no stored document` });
      if (!d.bytes) return reply.code(404).send({ error: 'not_kept', message: `id: the original of petition ${req.params.id} was larger than SITO_DOCUMENT_STORE_LIMIT and was not kept` });
      return reply
        .type(d.content_type)
        .header('content-disposition', contentDisposition(d.filename, `petycja-${req.params.id.replace(/[^A-Za-z0-9._-]/g, '_')}.${EXTENSION[d.content_type] ?? 'bin'}`))
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(d.bytes) as never);
    },
  );
}

/** The document of a request: the raw body, or the multipart field `file`. */
async function documentOf(req: FastifyRequest, maxBytes: number): Promise<{ bytes: Uint8Array; contentType: string | null; filename: string | null } | DocumentError | { error: string; message: string }> {
  if (!req.isMultipart()) {
    const body = req.body as unknown;
    if (body !== undefined && !Buffer.isBuffer(body)) {
      return new DocumentError('unsupported_type', `content-type ${mediaType(req.headers['content-type'])} is not read; send application/json, a document or multipart/form-data with the field "file"`);
    }
    if (!body || body.length === 0) return new DocumentError('empty', 'body: the document is empty');
    return { bytes: body, contentType: req.headers['content-type'] ?? null, filename: null };
  }
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 5, parts: 6 } })) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') {
        part.file.resume();
        return { error: 'invalid_request', message: `file: send the document in the form field "file" (got "${part.fieldname}")` };
      }
      const bytes = await part.toBuffer();
      if (bytes.length === 0) return new DocumentError('empty', 'file: the document is empty');
      return { bytes, contentType: part.mimetype || null, filename: part.filename || null };
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return new DocumentError('too_large', `file: the document is larger than the limit of ${maxBytes} bytes (SITO_DOCUMENT_LIMIT)`);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return { error: 'invalid_request', message: 'file: send one document in the field "file"' };
    return { error: 'invalid_request', message: `body: malformed multipart/form-data (${(e as Error).message})` };
  }
  return { error: 'invalid_request', message: 'file: the form has no field "file" with a document' };
}
