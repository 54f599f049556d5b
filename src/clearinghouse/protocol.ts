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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]+=*$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function validDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * ReportBatchSchema checked by hand: the same rules and the same field names in the message
 * (`reports.3.signature: …`), without zod's per-value cost — a batch is up to REPORTS_PER_BATCH
 * reports of 1.4 KB each, and zod's checks were a measurable share of a batch's CPU time.
 * Returns the batch, or the first problem naming its field.
 */
export function checkReportBatch(body: unknown): { reports: Report[] } | { problem: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'body: expected an object {reports: [...]}' };
  const reports = (body as { reports?: unknown }).reports;
  if (!Array.isArray(reports)) return { problem: 'reports: expected an array' };
  if (reports.length === 0) return { problem: 'reports: reports must not be empty' };
  if (reports.length > REPORTS_PER_BATCH) return { problem: `reports: at most ${REPORTS_PER_BATCH} per request` };
  for (let i = 0; i < reports.length; i++) {
    const r = reports[i] as Record<string, unknown> | null;
    const at = `reports.${i}`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return { problem: `${at}: expected an object` };
    if (typeof r.id !== 'string' || !UUID.test(r.id)) return { problem: `${at}.id: id must be a UUID made when the report was queued` };
    if (typeof r.signature !== 'string' || r.signature.length !== SIGNATURE_B64_LENGTH) return { problem: `${at}.signature: signature must be ${SLOTS} 32-bit values in base64 (${SIGNATURE_B64_LENGTH} characters)` };
    if (!BASE64.test(r.signature)) return { problem: `${at}.signature: signature must be base64` };
    if (typeof r.shingles !== 'number' || !Number.isInteger(r.shingles) || r.shingles < 0 || r.shingles > 10_000_000) return { problem: `${at}.shingles: expected a whole number from 0 to 10000000` };
    if (typeof r.received_day !== 'string' || !validDay(r.received_day)) return { problem: `${at}.received_day: received_day must be a date YYYY-MM-DD` };
    if (r.mark !== undefined && r.mark !== null && r.mark !== 'mass' && r.mark !== 'regular') return { problem: `${at}.mark: expected "mass", "regular" or null` };
  }
  return { reports: reports as Report[] };
}

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
