import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './errors.js';
import { ScoreResultSchema } from '../decision/result.js';
import type { Store } from '../storage/store.js';

const Sender = z.object({ name: z.string().nullable(), email: z.string().nullable() });
const CampaignRef = z.object({ id: z.string(), size: z.number().int() }).nullable();

/** The fields every view of a petition starts with. */
const PetitionHeaderSchema = z.object({
  id: z.string(),
  received_at: z.string().nullable(),
  stored_at: z.string(),
  subject: z.string().nullable(),
  sender: Sender,
});

export const PetitionSummarySchema = PetitionHeaderSchema.extend({
  excerpt: z.string().describe('the first 400 characters'),
  score: z.number(),
  level: z.enum(['high', 'review', 'low']),
  track: z.enum(['petycje_masowe', 'standard']),
  campaign: CampaignRef,
});

export const StoredPetitionSchema = PetitionHeaderSchema.extend({
  text: z.string(),
  result: ScoreResultSchema,
  campaign_id: z.string().nullable(),
});

export const CampaignSchema = z.object({
  id: z.string(),
  source: z.enum(['local', 'known']).describe('local: formed from this office’s petitions; known: from a shared library'),
  label: z.enum(['mass', 'regular']).nullable(),
  family: z.string().nullable(),
  sender: z.string().nullable(),
  representative_petition: z.string().nullable(),
  representative_text: z.string().nullable(),
  size: z.number().int(),
  distinct_senders: z.number().int(),
  first_seen: z.string().nullable(),
  last_seen: z.string().nullable(),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

const Paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

const dateParam = z.union([z.iso.datetime({ offset: true, local: true }), z.iso.date()]);

/** Read access to stored petitions and campaigns. Every route here returns petitions: `guard` applies. */
export function registerReadRoutes(app: FastifyInstance, store: Store, guard: preHandlerHookHandler) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const security = [{ apiKey: [] }];

  r.get(
    '/v1/petitions',
    {
      onRequest: guard,
      schema: {
        summary: 'Stored petitions, newest first',
        security,
        querystring: z.object({
          level: z.enum(['high', 'review', 'low']).optional(),
          track: z.enum(['petycje_masowe', 'standard']).optional(),
          from: dateParam.optional().describe('received (or stored) at or after'),
          to: dateParam.optional().describe('received (or stored) at or before'),
          q: z.string().min(1).max(200).optional().describe('text search in text, subject, sender e-mail, or an exact id'),
          ...Paging,
        }),
        response: { 200: page(PetitionSummarySchema), 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (req) => store.listPetitions(req.query),
  );

  r.get(
    '/v1/petitions/:id',
    {
      onRequest: guard,
      schema: {
        summary: 'One stored petition with its verdict',
        security,
        params: z.object({ id: z.string().min(1) }),
        response: { 200: StoredPetitionSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const p = store.getPetition(req.params.id);
      if (!p) return reply.code(404).send({ error: 'not_found', message: `id: no petition ${req.params.id}` });
      return p;
    },
  );

  r.get(
    '/v1/campaigns',
    {
      onRequest: guard,
      schema: {
        summary: 'Campaigns (near-duplicate groups), by size or by last seen',
        security,
        querystring: z.object({ order: z.enum(['size', 'last_seen']).default('size'), ...Paging }),
        response: { 200: page(CampaignSchema), 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (req) => store.listCampaigns(req.query.order, req.query.limit, req.query.offset),
  );

  r.get(
    '/v1/campaigns/:id',
    {
      onRequest: guard,
      schema: {
        summary: 'One campaign and its member petitions',
        security,
        params: z.object({ id: z.string().min(1) }),
        querystring: z.object(Paging),
        response: { 200: CampaignSchema.extend({ members: page(PetitionSummarySchema) }), 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const c = store.campaign(req.params.id);
      if (!c) return reply.code(404).send({ error: 'not_found', message: `id: no campaign ${req.params.id}` });
      return { ...c, members: store.campaignMembers(c.id, req.query.limit, req.query.offset) };
    },
  );
}
