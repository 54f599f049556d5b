import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session, Store } from '../storage/store.js';

export const SESSION_COOKIE = 'sito_session';
export const SESSION_HOURS = 12;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Creates a session: the browser gets a random token, the store keeps only its hash. */
export async function openSession(store: Store, login: string): Promise<{ token: string; csrf: string; expires: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await store.writeTransaction((tx) => tx.createSession(sha(token), login, csrf, expires.toISOString()));
  return { token, csrf, expires };
}

export async function findSession(store: Store, token: string | undefined): Promise<Session | null> {
  if (!token || token.length > 100) return null;
  return store.session(sha(token), new Date().toISOString());
}

export async function closeSession(store: Store, token: string | undefined): Promise<void> {
  if (token) await store.writeTransaction((tx) => tx.deleteSession(sha(token)));
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
