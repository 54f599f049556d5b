import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sameToken } from '../auth/sessions.js';

/**
 * What a browser can be made to send to the API from another site, refused before any body is read:
 *
 * - API routes (`/v1/*`) take JSON bodies only (415 otherwise), except the types listed below for
 *   a route. An HTML form can only send urlencoded, multipart or text/plain bodies, so no form on
 *   any page can roll back a model, keys or no keys. The score route also reads documents
 *   (multipart, text/plain among them): there the Origin check below is what refuses another site.
 * - A request that names another origin (`Origin`) is refused (403) whatever it carries.
 * - A signed-in person's session cookie alone does not authorise a state-changing API request: it
 *   needs the session's CSRF token in `x-csrf-token` and a same-origin `Origin` or `Referer`.
 *   (Machine clients send `Authorization: Bearer …` and no cookie; they are not concerned.)
 */

/** Request body types beyond application/json, per route ("METHOD /route/pattern"). */
export const API_BODY_TYPES: Record<string, string[]> = {
  'POST /v1/models': ['text/csv'],
  // documents as offices receive them (src/ingest/documents): any other body goes to the document
  // route, which reads e-mails, PDFs, DOCX… or a multipart form with the file, and answers 415 naming
  // what it reads for anything else
  'POST /v1/petitions/score': ['*'],
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function mediaType(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}

/** The origin ("http://host:port") a header names, or null for "null", a malformed or absent one. */
function originOf(value: string | undefined): string | null {
  if (!value || value === 'null') return null;
  try {
    const u = new URL(value);
    return u.host ? u.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Whether `Origin` (else `Referer`) names this server's own host: 'same', 'cross', or 'absent'. */
export function requestOrigin(req: FastifyRequest): 'same' | 'cross' | 'absent' {
  const raw = req.headers.origin ?? req.headers.referer;
  if (raw === undefined) return 'absent';
  const host = (req.headers.host ?? '').toLowerCase();
  const named = originOf(raw);
  return named !== null && host !== '' && named === host ? 'same' : 'cross';
}

const refuse = (reply: FastifyReply, code: number, error: string, message: string) => reply.code(code).send({ error, message });

export function registerApiProtection(app: FastifyInstance) {
  app.addHook('onRequest', async (req, reply) => {
    if (SAFE_METHODS.has(req.method) || !req.url.startsWith('/v1/')) return;
    const origin = requestOrigin(req);
    if (origin === 'cross' && req.headers.origin !== undefined) {
      return refuse(reply, 403, 'cross_origin', `origin: requests from ${req.headers.origin.slice(0, 100)} are refused; the API answers its own origin and machine clients`);
    }
    const type = mediaType(req.headers['content-type']);
    const length = req.headers['content-length'];
    const hasBody = type !== null || req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (hasBody) {
      const allowed = ['application/json', ...(API_BODY_TYPES[`${req.method} ${req.routeOptions.url ?? ''}`] ?? [])];
      if (!allowed.includes('*') && (type === null || !allowed.includes(type))) {
        return refuse(reply, 415, 'unsupported_media_type', `content-type must be ${allowed.join(' or ')} (got ${req.headers['content-type']?.slice(0, 100) ?? 'none'})`);
      }
    }
    // a session (cookie) without a bearer key: the request must prove it comes from a page of this origin
    if (req.user && req.headers.authorization === undefined) {
      const token = req.headers['x-csrf-token'];
      if (!sameToken(typeof token === 'string' ? token : undefined, req.user.csrf) || origin !== 'same') {
        return refuse(reply, 403, 'csrf', 'x-csrf-token: a signed-in session needs its CSRF token in the x-csrf-token header and a same-origin Origin or Referer for this request');
      }
    }
  });
}
