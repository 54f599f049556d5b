import { z } from 'zod';

/** Largest petition text accepted, in characters (a long petition with annexes is ~100 000). */
export const MAX_TEXT_LENGTH = 1_000_000;

/** One incoming petition: the body of POST /v1/petitions/score and one line of `sito score`. */
export const PetitionInputSchema = z
  .object({
    text: z
      .string({ error: (i) => (i.input === undefined ? 'text is required' : 'text must be a string') })
      .max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`)
      .refine((t) => t.trim().length > 0, 'text must not be empty'),
    id: z.string().min(1).max(200).optional(),
    subject: z.string().max(2000).optional(),
    sender: z
      .object({ name: z.string().max(500).optional(), email: z.string().max(320).optional() })
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
