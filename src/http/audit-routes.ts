import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './errors.js';
import type { Store } from '../storage/store.js';

export const AUDIT_ACTIONS = [
  'sign_in', 'sign_in_failed', 'sign_in_throttled', 'sign_out', 'mark', 'train', 'activate', 'rollback', 'delete', 'purge', 'export', 'backup', 'user_add', 'user_disable',
] as const;

const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string().describe('a login, key:<role>:<digest prefix>, or cli:<system user>'),
  address: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

/** The audit trail, for analysts (keys with the analyst role, signed-in analysts). */
export function registerAuditRoutes(app: FastifyInstance, store: Store, guard: preHandlerHookHandler) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/audit',
    {
      onRequest: guard,
      schema: {
        summary: 'The audit trail, newest first: sign-ins, marks, training, activations, deletions, exports, purges',
        security: [{ apiKey: [] }],
        querystring: z.object({
          since: z.union([z.iso.datetime({ offset: true, local: true }), z.iso.date()]).optional(),
          action: z.enum(AUDIT_ACTIONS).optional(),
          before: z.coerce.number().int().min(1).optional().describe('entries older than this seq (paging)'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ items: z.array(AuditEntrySchema) }), 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (req) => ({ items: await store.auditTrail(req.query) }),
  );
}
