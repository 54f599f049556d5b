/** What the clerks' start page counts: petitions per week by level, campaign growth, this week's deadlines, clerks' marks against Sito's levels. Pure. */
import type { ScoreResult } from '../decision/result.js';
import type { LevelCount } from '../storage/store.js';
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

/**
 * The last `weeks` weeks up to the week of `today`, oldest first, each with its petitions by level:
 * counts per date of receipt (TrackStore.levelCounts), each date's day in Poland worked out once.
 */
export function weeklyByLevel(counts: ReadonlyArray<LevelCount>, today: IsoDate, weeks: number): WeekCounts[] {
  const last = weekStart(today);
  const out: WeekCounts[] = Array.from({ length: weeks }, (_, i) => ({ week: addDays(last, -7 * (weeks - 1 - i)), high: 0, review: 0, low: 0 }));
  const index = new Map(out.map((w, i) => [w.week, i]));
  for (const c of counts) {
    const i = index.get(weekStart(warsawDate(c.at)));
    if (i !== undefined) out[i]![c.level] += c.n;
  }
  return out;
}

/** The dates the start page's weekly counts cover for `weeks` weeks up to the week of `today`, as levelCounts takes them (a day's margin either side for the time of day). */
export function weeksRange(today: IsoDate, weeks: number): { from: IsoDate; before: IsoDate } {
  const last = weekStart(today);
  return { from: addDays(last, -7 * (weeks - 1) - 1), before: addDays(last, 8) };
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
