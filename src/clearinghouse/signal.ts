import type { Reason } from '../decision/result.js';
import type { LookupAnswer } from './protocol.js';

/**
 * The clearinghouse as a classifier feature: log-odds added like every other reason
 * (src/classifier/combine.ts). Measured with the shipped default model: a campaign template that
 * shows nothing suspicious scores logit −4.3 (0.014); residents' own petitions, where the
 * resident-voice rules fire, −6 to −7.4.
 *
 *   one other office:  ONE_OFFICE = +3.8             plain template −4.3 + 3.8 = −0.5 → 0.38: review
 *                                                    a resident's petition −6 + 3.8 → low
 *   two or more:       MANY_OFFICES + SPREAD·ln(n/2), at most CAP
 *                      n = 2: +6.0 → plain template 1.7 → 0.85: high (threshold 0.8 = logit 1.39);
 *                      a resident's petition −6 + 6.0 = 0 → 0.5: review, not high
 *                      n = 20: +7.15; n ≥ 41: CAP = +7.5
 *   clerks' marks at other offices scale it by (mass + 1) / (mass + 1 + REGULAR_WEIGHT·regular):
 *   one office's "to zwykła petycja" (residents reusing a petition-site template) cuts the
 *   two-office figure to +2.0, two such offices to +1.2; "petycja masowa" marks restore it.
 */
export const ONE_OFFICE = 3.8;
export const MANY_OFFICES = 6;
export const SPREAD = 0.5;
export const CAP = 7.5;
export const REGULAR_WEIGHT = 2;

export function clearinghouseContribution(a: Pick<LookupAnswer, 'offices' | 'marks'>): number {
  if (a.offices <= 0) return 0;
  const base = a.offices === 1 ? ONE_OFFICE : Math.min(CAP, MANY_OFFICES + SPREAD * Math.log(a.offices / 2));
  const { mass, regular } = a.marks;
  const scaled = (base * (mass + 1)) / (mass + 1 + REGULAR_WEIGHT * regular);
  return Math.round(Math.min(CAP, scaled) * 1000) / 1000;
}

const MONTHS_GENITIVE = ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września', 'października', 'listopada', 'grudnia'];

/** "2024-05-06" → "6 maja 2024" */
export function polishDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) return day;
  const month = MONTHS_GENITIVE[Number(m[2]) - 1];
  return month ? `${Number(m[3])} ${month} ${m[1]}` : day;
}

function marksNote(marks: LookupAnswer['marks']): string {
  const parts: string[] = [];
  if (marks.mass) parts.push(`masowa — ${marks.mass}`);
  if (marks.regular) parts.push(`zwykła — ${marks.regular}`);
  return parts.length ? `; ocena urzędników innych urzędów: ${parts.join(', ')}` : '';
}

/** The reason `seen_at_other_offices`, or null when no other office received the text. */
export function clearinghouseReason(a: LookupAnswer): Reason | null {
  if (a.offices <= 0) return null;
  const when = a.first_seen ? ` (pierwsza: ${polishDate(a.first_seen)})` : '';
  const where = a.offices === 1 ? 'do 1 innego urzędu' : `do ${a.offices} innych urzędów`;
  return {
    signal: 'clearinghouse',
    id: 'seen_at_other_offices',
    trait: 'mass_mailing',
    offices: a.offices,
    first_seen: a.first_seen ?? undefined,
    marks: a.marks,
    contribution: clearinghouseContribution(a),
    description: `Ta sama treść wpłynęła ${where}${when}${marksNote(a.marks)}`,
    evidence: [],
  };
}
