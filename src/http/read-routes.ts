import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './errors.js';
import { ScoreResultSchema } from '../decision/result.js';
import type { Store } from '../storage/store.js';
import { DEFAULT_TOTAL_CAP } from '../storage/listing-total.js';
import { ensureCampaignNames } from '../track/campaign-names.js';
import { listByDeadline, standings, trackFields } from '../track/petition-track.js';

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
  deadline: z.string().optional().describe('art. 10: the last day to answer (ISO date, Poland), or its petycja wielokrotna’s'),
  overdue: z.boolean().optional(),
});

const FormalElementSchema = z.object({
  found: z.boolean(),
  source: z.enum(['text', 'fields']).nullable(),
  evidence: z.array(z.object({ start: z.number().int(), end: z.number().int(), text: z.string() })),
  value: z.string().optional(),
  note: z.string(),
});

/** The mass track (Petitions Act): deadline, formal completeness, progress, petycja wielokrotna. */
const TrackFieldsSchema = z.object({
  deadline: z.string().describe('art. 10 ust. 1: 3 months from receipt (received_at, else stored_at), in Poland; art. 11 ust. 2: from the end of the petycja wielokrotna’s waiting period'),
  deadline_basis: z.enum(['received', 'stored', 'joint']),
  overdue: z.boolean(),
  status: z.object({ code: z.string(), label: z.string(), by: z.string(), at: z.string() }).nullable(),
  joint: z.object({ id: z.number().int(), campaign_id: z.string(), waiting_end: z.string(), deadline: z.string() }).nullable(),
  formal: z.object({ submitter: z.boolean(), address: z.boolean(), addressee: z.boolean(), subject: z.boolean(), consent_to_publish: z.boolean() }).describe('art. 4 ust. 2 and 3'),
  formal_details: z.object({
    elements: z.record(z.string(), FormalElementSchema),
    step: z.enum(['consider', 'call_to_complete', 'leave_unconsidered']).describe('art. 7'),
    step_description: z.string(),
    electronic: z.boolean(),
    legal_person: z.boolean(),
  }),
});

export const StoredPetitionSchema = PetitionHeaderSchema.extend({
  text: z.string(),
  result: ScoreResultSchema,
  campaign_id: z.string().nullable(),
}).extend(TrackFieldsSchema.partial().shape);

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
  name: z.string().optional().describe('words a clerk recognises (characteristic words, or the clerk’s own); the id when there is no text'),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

/** Petitions are counted up to the cap: past it `total` is the cap and `total_exact` false. */
const CAP = DEFAULT_TOTAL_CAP.toLocaleString('en-US').replace(/,/g, ' ');
const petitionPage = page(PetitionSummarySchema).extend({
  total: z.number().int().describe(`the number of matching petitions, exact up to ${CAP}; when more match, ${CAP} (total_exact: false)`),
  total_exact: z.boolean().describe(`false: more petitions than \`total\` match (the count stops at ${CAP}); the pages still reach every one`),
});

const Paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

const dateParam = z.union([z.iso.datetime({ offset: true, local: true }), z.iso.date()]);

/** Read access to stored petitions and campaigns. Every route here returns petitions: `guard` applies. */
export function registerReadRoutes(app: FastifyInstance, store: Store, guard: preHandlerHookHandler) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const ts = store.track;
  const withDeadlines = async <T extends { id: string; received_at: string | null; stored_at: string }>(items: T[]) => {
    const s = await standings(ts, items);
    return items.map((i) => ({ ...i, deadline: s.get(i.id)!.deadline.date, overdue: s.get(i.id)!.overdue }));
  };
  const named = async <T extends { id: string; family: string | null }>(items: T[]) => {
    const names = await ensureCampaignNames(ts, items.map((c) => c.id));
    return items.map((c) => ({ ...c, name: names.get(c.id)?.name ?? c.family ?? c.id }));
  };
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
          order: z.enum(['newest', 'deadline']).default('newest').describe('deadline: the soonest deadline first (art. 10)'),
          overdue: z.enum(['true', 'false']).optional().describe('true: only petitions past their deadline and not closed'),
          ...Paging,
        }),
        response: { 200: petitionPage, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (req) => {
      const { order, overdue, ...filter } = req.query;
      const list = order === 'deadline' || overdue !== undefined ? await listByDeadline(ts, filter, { order, overdue: overdue === undefined ? undefined : overdue === 'true' }) : await store.listPetitions(filter);
      return { ...list, items: await withDeadlines(list.items) };
    },
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
      const p = await store.getPetition(req.params.id);
      if (!p) return reply.code(404).send({ error: 'not_found', message: `id: no petition ${req.params.id}` });
      return { ...p, ...(await trackFields(ts, p)) };
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
    async (req) => {
      const list = await store.listCampaigns(req.query.order, req.query.limit, req.query.offset);
      return { ...list, items: await named(list.items) };
    },
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
        response: { 200: CampaignSchema.extend({ members: petitionPage }), 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const c = await store.campaign(req.params.id);
      if (!c) return reply.code(404).send({ error: 'not_found', message: `id: no campaign ${req.params.id}` });
      const members = await store.campaignMembers(c.id, req.query.limit, req.query.offset);
      return { ...(await named([c]))[0]!, members: { ...members, items: await withDeadlines(members.items) } };
    },
  );
}
