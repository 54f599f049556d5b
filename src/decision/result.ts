import { z } from 'zod';

/** The score result — the same JSON from the HTTP API and the CLI (see CONTRACTS). */
export const EvidenceSchema = z.object({
  start: z.number().int().describe('UTF-16 offset into the submitted text'),
  end: z.number().int(),
  text: z.string().describe('text.slice(start, end)'),
});

export const ReasonSchema = z.object({
  signal: z.enum(['rule', 'template', 'embedding', 'model', 'clearinghouse']),
  id: z.string(),
  description: z.string().describe('short explanation in Polish, for a clerk'),
  trait: z.enum(['mass_mailing', 'vendor_promotion']).optional(),
  contribution: z.number().describe('log-odds this signal adds to the score (negative lowers it)'),
  evidence: z.array(EvidenceSchema),
  similarity: z.number().optional().describe('template/embedding reasons: similarity to the matched text'),
  neighbour: z.string().optional().describe('template/embedding reasons: id of the matched petition or campaign'),
  offices: z.number().int().optional().describe('clearinghouse reason: other offices that received a near-duplicate, each once'),
  first_seen: z.string().optional().describe('clearinghouse reason: the earliest day another office received it'),
  marks: z.object({ mass: z.number().int(), regular: z.number().int() }).optional().describe("clearinghouse reason: other offices whose clerks marked the text each way"),
});

/** Whether the cross-office clearinghouse was consulted for this verdict (only when one is configured). */
export const ClearinghouseStatusSchema = z.object({
  consulted: z.boolean(),
  offices: z.number().int().optional().describe('other offices that received a near-duplicate'),
  problem: z.string().optional().describe('why it was not consulted (down, slow, text too short)'),
});

export const ScoreResultSchema = z.object({
  id: z.string(),
  score: z.number().min(0).max(1),
  level: z.enum(['high', 'review', 'low']),
  track: z.enum(['petycje_masowe', 'standard']),
  traits: z.object({ mass_mailing: z.number(), vendor_promotion: z.number() }),
  reasons: z.array(ReasonSchema),
  campaign: z.object({ id: z.string(), size: z.number().int() }).nullable(),
  model: z.object({ version: z.string(), embedding: z.string().nullable() }),
  clearinghouse: ClearinghouseStatusSchema.optional(),
});

export type Evidence = z.infer<typeof EvidenceSchema>;
export type Reason = z.infer<typeof ReasonSchema>;
export type ScoreResult = z.infer<typeof ScoreResultSchema>;
export type ClearinghouseStatus = z.infer<typeof ClearinghouseStatusSchema>;
export type Level = ScoreResult['level'];
