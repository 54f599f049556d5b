import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { foldUnit } from '../../normalise/normalise.js';

/**
 * What the office knows about itself, so that rules can tell "about a place in this gmina" from
 * "written for every gmina": the names of its localities (villages, sołectwa, districts, estates,
 * streets if it likes) and its postal codes. Optional: without it the rules that need it never fire.
 */
export const OfficeProfileSchema = z
  .object({
    /** e.g. "Gmina Brzozówka" — shown on /health, not matched (a template fills the office's name in too) */
    name: z.string().min(1).max(200),
    /** localities of the office other than its seat's name; inflected forms may be listed too */
    localities: z.array(z.string().min(2).max(100)).max(5000).default([]),
    /** the office's postal codes ("38-543") or prefixes of them ("38-5") */
    postal_codes: z.array(z.string().regex(/^\d{2}-\d{1,3}$/, 'a postal code like 38-543, or a prefix like 38-5')).max(2000).default([]),
  })
  .strict();

export type OfficeProfile = z.infer<typeof OfficeProfileSchema>;

const fold = (s: string) => [...s.toLowerCase()].map((c) => (c.charCodeAt(0) < 0x80 ? c : foldUnit(c.charCodeAt(0)))).join('');

/**
 * A locality's name as stems that its inflected forms share, "*" standing for the ending: the last
 * letters of a Polish name change with case ("Brzozówka" → "w Brzozówce", "Dębowa Wola" → "w
 * Dębowej Woli"), so each word of five letters or more loses up to two (never below four), a
 * four-letter word one, and shorter words stay whole.
 */
export function localityStem(name: string): string {
  return fold(name.trim())
    .split(/\s+/)
    .map((w) => (w.length <= 3 ? w : w.length === 4 ? `${w.slice(0, 3)}*` : `${w.slice(0, Math.max(4, w.length - 2))}*`))
    .join(' ');
}

/** The rules file's `office_*` lists for this office. */
export function profileLists(p: OfficeProfile): Record<string, string[]> {
  return {
    office_localities: [...new Set(p.localities.map(localityStem))].sort((a, b) => b.length - a.length),
    office_postal_codes: [...new Set(p.postal_codes)],
  };
}

/** Reads an office profile (YAML or JSON); every error names the file and the field. */
export function loadOfficeProfile(path: string): OfficeProfile {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`office profile ${path}: ${(e as Error).message}`);
  }
  const parsed = OfficeProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`office profile ${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}
