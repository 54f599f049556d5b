import { z } from 'zod';
import { SLOTS } from '../signals/fingerprint/minhash.js';

/**
 * The clearinghouse's wire format. Everything an office sends is here, and nothing else: a keyed
 * signature, its shingle count, the day the petition was received, a random report id, and the
 * clerk's mark. No text, sender, subject or petition id.
 */
const SIGNATURE_B64_LENGTH = Math.ceil((SLOTS * 4) / 3) * 4;

export const SignatureSchema = z
  .string()
  .length(SIGNATURE_B64_LENGTH, `signature must be ${SLOTS} 32-bit values in base64 (${SIGNATURE_B64_LENGTH} characters)`)
  .regex(/^[A-Za-z0-9+/]+=*$/, 'signature must be base64')
  .describe('keyed MinHash signature: 256 little-endian uint32, base64');

export const MarkSchema = z.enum(['mass', 'regular']).nullable().describe("the office clerks' verdict on the text, or null");

export const ReportSchema = z.object({
  id: z.uuid('id must be a UUID made when the report was queued'),
  signature: SignatureSchema,
  shingles: z.number().int().min(0).max(10_000_000),
  received_day: z.iso.date('received_day must be a date YYYY-MM-DD'),
  mark: MarkSchema.optional(),
});

export const REPORTS_PER_BATCH = 1000;

export const ReportBatchSchema = z.object({
  reports: z.array(ReportSchema).min(1, 'reports must not be empty').max(REPORTS_PER_BATCH, `reports: at most ${REPORTS_PER_BATCH} per request`),
});

export const ReportBatchAnswerSchema = z.object({
  accepted: z.number().int().describe('reports stored now'),
  duplicates: z.number().int().describe('reports already stored (a retry): nothing changed'),
  rejected: z.array(z.object({ id: z.string(), problem: z.string() })).describe('reports refused (e.g. an id another office uses)'),
});

export const MarkBodySchema = z.object({ mark: MarkSchema });

export const LookupSchema = z.object({
  signature: SignatureSchema,
  shingles: z.number().int().min(0).max(10_000_000),
});

export const LookupAnswerSchema = z.object({
  offices: z.number().int().describe('other offices that received a near-duplicate, each counted once'),
  first_seen: z.string().nullable().describe('the earliest day one of them received it'),
  marks: z.object({ mass: z.number().int(), regular: z.number().int() }).describe("other offices whose clerks marked the text each way (counts only)"),
});

export type Report = z.infer<typeof ReportSchema>;
export type Mark = z.infer<typeof MarkSchema>;
export type LookupAnswer = z.infer<typeof LookupAnswerSchema>;
export type ReportBatchAnswer = z.infer<typeof ReportBatchAnswerSchema>;
