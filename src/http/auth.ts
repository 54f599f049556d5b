import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey, KeyRole } from '../config.js';
import type { Session, UserRole } from '../storage/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the signed-in clerk or analyst, resolved from the session cookie */
    user: Session | null;
    /** the API key that authorised the request, as "key:<role>:<digest prefix>" (never the key) */
    apiKey: string | null;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `host` is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Bearer API keys for machine clients, or a signed-in session. Keys are compared as SHA-256 digests in constant time.
 * With no key configured the API answers unauthenticated — the server refuses to start like that on
 * anything but loopback (see server.ts).
 */
/** The token of an `Authorization: Bearer …` header (at most 512 characters), or null. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer[ \t]+(\S{1,512})$/i.exec(header ?? '')?.[1] ?? null;
}

export function apiKeyGuard(keys: readonly ApiKey[], roles: readonly KeyRole[] = ['intake', 'analyst'], sessionRoles: readonly UserRole[] = ['clerk', 'analyst']) {
  const digests = keys.map((k) => ({ digest: digest(k.key), role: k.role, name: `key:${k.role}:${digest(k.key).toString('hex').slice(0, 8)}` }));
  return async function guard(req: FastifyRequest, reply: FastifyReply) {
    if (digests.length === 0) return;
    // a signed-in person reaches the API their pages use (a request that sends a key is judged by the key alone)
    if (req.user && req.headers.authorization === undefined && sessionRoles.includes(req.user.role)) return;
    const token = bearerToken(req.headers.authorization);
    if (token) {
      const given = digest(token);
      const found = digests.find((d) => timingSafeEqual(d.digest, given));
      if (found) req.apiKey = found.name;
      if (found && roles.includes(found.role)) return;
      if (found) return reply.code(403).send({ error: 'forbidden', message: `authorization: this key's role (${found.role}) may not do this; it needs ${roles.join(' or ')}` });
    }
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'unauthorized', message: 'authorization: send "Authorization: Bearer <API key>"' });
  };
}
