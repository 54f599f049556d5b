/** What the clerks' start page counts: petitions per week by level, campaign growth, this week's deadlines, clerks' marks against Sito's levels. Pure. */
import type { ScoreResult } from '../decision/result.js';
import { addDays, warsawDate, type IsoDate } from './deadlines.js';

type Level = ScoreResult['level'];

/** Monday of the week of `day` (weeks start on Monday in Poland). */
export function weekStart(day: IsoDate): IsoDate {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

export interface WeekCounts {
  week: IsoDate;
  high: number;
  review: number;
  low: number;
}

/** The last `weeks` weeks up to the week of `today`, oldest first, each with its petitions by level. */
export function weeklyByLevel(rows: ReadonlyArray<{ received_at: string | null; stored_at: string; level: Level }>, today: IsoDate, weeks: number): WeekCounts[] {
  const last = weekStart(today);
  const out: WeekCounts[] = Array.from({ length: weeks }, (_, i) => ({ week: addDays(last, -7 * (weeks - 1 - i)), high: 0, review: 0, low: 0 }));
  const index = new Map(out.map((w, i) => [w.week, i]));
  for (const r of rows) {
    const i = index.get(weekStart(warsawDate(r.received_at ?? r.stored_at)));
    if (i !== undefined) out[i]![r.level]++;
  }
  return out;
}

/** Cumulative size of a campaign at the end of each week. */
export function growth(dates: readonly string[], weeks: readonly IsoDate[]): number[] {
  const days = dates.map((d) => warsawDate(d)).sort();
  return weeks.map((w) => {
    const end = addDays(w, 7);
    return days.filter((d) => d < end).length;
  });
}

export interface MarkAgreement {
  /** clerk's label against Sito's level */
  table: Record<Level, { mass: number; regular: number }>;
  confirmed: number;
  corrected: number;
  undecided_by_sito: number;
  total: number;
}

/** Confirmed: a clerk's mark agrees with a high or low level; corrected: it contradicts one; review-level petitions are Sito's "don't know". */
export function markAgreement(marks: ReadonlyArray<{ label: 'mass' | 'regular'; level: Level }>): MarkAgreement {
  const table: MarkAgreement['table'] = { high: { mass: 0, regular: 0 }, review: { mass: 0, regular: 0 }, low: { mass: 0, regular: 0 } };
  for (const m of marks) table[m.level][m.label]++;
  const confirmed = table.high.mass + table.low.regular;
  const corrected = table.high.regular + table.low.mass;
  const undecided = table.review.mass + table.review.regular;
  return { table, confirmed, corrected, undecided_by_sito: undecided, total: marks.length };
}
