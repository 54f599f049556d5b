import { z } from 'zod';

/** Largest petition text accepted, in characters (a long petition with annexes is ~100 000). */
export const MAX_TEXT_LENGTH = 1_000_000;

/**
 * Text with a lone surrogate (half of a UTF-16 pair) cannot be stored as it came: SQLite keeps
 * UTF-8, where it would turn into U+FFFD and every evidence offset after it would point elsewhere.
 * Such text is refused (400 naming the field) rather than altered.
 */
// String.prototype.isWellFormed (Node 20; typed from ES2024): a lone surrogate is exactly what
// /\p{Cs}/u finds, at a tenth of the regular expression's time on a 24 KB text
const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
const WELL_FORMED = 'contains a lone UTF-16 surrogate (half of a character pair); send well-formed Unicode';

/** Longest petition id: the same limit for storing (POST) and for reading (GET /v1/petitions/:id). */
export const MAX_ID_LENGTH = 100;

/** One incoming petition: the body of POST /v1/petitions/score and one line of `sito score`. */
export const PetitionInputSchema = z
  .object({
    text: z
      .string({ error: (i) => (i.input === undefined ? 'text is required' : 'text must be a string') })
      .max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`)
      .refine((t) => t.trim().length > 0, 'text must not be empty')
      .refine(wellFormed, `text ${WELL_FORMED}`),
    id: z.string().min(1).max(MAX_ID_LENGTH, `id must be at most ${MAX_ID_LENGTH} characters`).refine(wellFormed, `id ${WELL_FORMED}`).optional(),
    subject: z.string().max(2000).refine(wellFormed, `subject ${WELL_FORMED}`).optional(),
    sender: z
      .object({
        name: z.string().max(500).refine(wellFormed, `sender.name ${WELL_FORMED}`).optional(),
        email: z.string().max(320).refine(wellFormed, `sender.email ${WELL_FORMED}`).optional(),
      })
      .optional(),
    received_at: z.iso.datetime({ offset: true, local: true }).or(z.iso.date()).optional(),
    store: z.boolean().default(true),
  })
  .describe('A petition to score');

export type PetitionInput = z.input<typeof PetitionInputSchema>;
export type Petition = z.output<typeof PetitionInputSchema>;

/** "text: text is required" — the field path first, so a caller knows what to fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.length ? i.path.join('.') : 'body';
      return i.message.startsWith(`${path} `) ? i.message : `${path}: ${i.message}`;
    })
    .join('; ');
}
