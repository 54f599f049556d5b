import { userInfo } from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { AuditAction, Store } from '../storage/store.js';

/**
 * The audit trail: who signed in (or failed to), marked, trained, activated, rolled back, deleted,
 * exported or purged — with the time and the client address. Entries never hold petition text.
 */

/** Who made an HTTP request: the signed-in login, the API key (role and digest prefix), or nobody. */
export function requestActor(req: FastifyRequest): string {
  if (req.apiKey) return req.apiKey;
  if (req.user && req.headers.authorization === undefined) return req.user.login;
  return 'anonymous';
}

/** Who runs a command: the system account. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? '?'}`;
  }
}

export interface AuditRecord {
  actor: string;
  address: string | null;
  action: AuditAction;
  target?: string | null;
  detail?: Record<string, unknown> | null;
}

/** Records one entry in its own write transaction (or in the caller's, when given the transaction's store). */
export async function audit(store: Store, r: AuditRecord): Promise<void> {
  const entry = { at: new Date().toISOString(), actor: r.actor, address: r.address, action: r.action, target: r.target ?? null, detail: r.detail ?? null };
  await store.writeTransaction((tx) => tx.recordAudit(entry));
}

/** An entry for an HTTP request: its actor and address. */
export function auditRequest(store: Store, req: FastifyRequest, action: AuditAction, target: string | null = null, detail: Record<string, unknown> | null = null): Promise<void> {
  return audit(store, { actor: requestActor(req), address: req.ip, action, target, detail });
}
