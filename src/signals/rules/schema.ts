import { z } from 'zod';

export const TRAITS = ['mass_mailing', 'vendor_promotion'] as const;
export type Trait = (typeof TRAITS)[number];

const pattern = z
  .string()
  .min(1)
  .refine((p) => !/(^|[^\\])[A-Z]/.test(p.replace(/\\[A-Za-z]/g, '')), {
    message: 'patterns match folded (lower-case) text: write them in lower case',
  });

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'rule ids are snake_case'),
    trait: z.enum(TRAITS),
    /** Log-odds added to the score when the rule fires (negative: evidence of a genuine petition). */
    weight: z.number().min(-10).max(10),
    /** Shown to clerks. */
    description: z.string().min(5),
    patterns: z.array(pattern).min(1),
    /** A match whose text matches any of these is dropped. */
    exclude: z.array(pattern).default([]),
    /** The rule fires only with at least this many matches. */
    min_hits: z.number().int().min(1).default(1),
    /** density rules also need this many matches per 1000 characters of petition text. */
    min_per_1000_chars: z.number().positive().optional(),
    /**
     * An absence rule fires when none of its patterns match a petition of at least `min_chars`
     * folded characters: "no street, village or school named anywhere". It has no evidence spans.
     */
    absent: z.boolean().default(false),
    min_chars: z.number().int().min(0).default(0),
    /**
     * A character class the character before a match must not be (RE2 has no look-behind):
     * '[a-z0-9.-]' keeps "gmina.pl" from matching inside "zagan.gmina.pl".
     */
    not_preceded_by: pattern.optional(),
    /** Matches on the petition's first N non-empty lines (the addressee block) do not count. */
    skip_lines: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((r) => !r.absent || (r.min_hits === 1 && r.min_per_1000_chars === undefined), {
    message: 'an absence rule takes no min_hits or min_per_1000_chars',
  });

export const RuleFileSchema = z
  .object({
    version: z.number().int().positive(),
    /** Log-odds of a petition that fires no rule. */
    bias: z.number(),
    /**
     * Named lists of literals, used in patterns as {{name}}. A rule whose pattern names an empty
     * list never fires (the office profile fills `office_*` lists; without a profile they are empty).
     */
    lists: z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().min(1))).default({}),
    rules: z.array(RuleSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
    });
  });

export type RuleSpec = z.infer<typeof RuleSchema>;
export type RuleFile = z.infer<typeof RuleFileSchema>;
