/**
 * Deadlines of the Petitions Act (ustawa z dnia 11 lipca 2014 r. o petycjach), as calendar dates
 * in Poland (Europe/Warsaw).
 *
 * - art. 10 ust. 1: a petition is dealt with without undue delay, at the latest within 3 months
 *   of the day it was submitted;
 * - art. 11 ust. 2: a petycja wielokrotna's deadline runs from the end of the waiting period
 *   announced on the website (at most 2 months from the announcement).
 *
 * A period in months ends on the day whose date corresponds to the starting day, or on the last
 * day of the month when that month has no such day (31 January + 1 month → 28/29 February), as
 * Polish law counts months (cf. k.p.a. art. 57 § 3, k.c. art. 112).
 */

/** A calendar date 'YYYY-MM-DD'. */
export type IsoDate = string;

export const ANSWER_MONTHS = 3;
export const MAX_WAITING_MONTHS = 2;

const WARSAW = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Poland at this instant ('2026-03-31T22:30:00Z' → '2026-04-01'). A bare date stays as it is. */
export function warsawDate(iso: string | Date): IsoDate {
  if (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(iso)}`);
  return WARSAW.format(d);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const parts = (d: IsoDate) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) throw new RangeError(`not a calendar date: ${d}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])] as const;
};
export const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** `date` plus `months` calendar months (negative allowed), clamped to the month's last day. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, daysInMonth(year, month)))}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  const [y1, m1, d1] = parts(a);
  const [y2, m2, d2] = parts(b);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** art. 10 ust. 1: 3 months from receipt (`received_at`, else when Sito stored the petition). */
export function answerDeadline(receivedAt: string | null, storedAt: string): IsoDate {
  return addMonths(warsawDate(receivedAt ?? storedAt), ANSWER_MONTHS);
}

/** art. 11 ust. 2: the waiting period may not end later than 2 months after the announcement. */
export function latestWaitingEnd(announcedOn: IsoDate): IsoDate {
  return addMonths(announcedOn, MAX_WAITING_MONTHS);
}

/** art. 11 ust. 2 with art. 10 ust. 1: a petycja wielokrotna is answered 3 months after its waiting period ends. */
export function jointDeadline(waitingEnd: IsoDate): IsoDate {
  return addMonths(waitingEnd, ANSWER_MONTHS);
}

/** art. 11 ust. 1: later petitions in the same matter may be joined when they arrive within a month of the first. */
export function withinJoiningMonth(firstReceived: IsoDate, received: IsoDate): boolean {
  return received >= firstReceived && received <= addMonths(firstReceived, 1);
}

export interface Deadline {
  /** the last day to answer */
  date: IsoDate;
  /** what it runs from */
  basis: 'received' | 'stored' | 'joint';
  /** the day it runs from */
  from: IsoDate;
}

export function deadlineOf(p: { received_at: string | null; stored_at: string }, joint?: { waiting_end: IsoDate } | null): Deadline {
  if (joint) return { date: jointDeadline(joint.waiting_end), basis: 'joint', from: joint.waiting_end };
  const from = warsawDate(p.received_at ?? p.stored_at);
  return { date: addMonths(from, ANSWER_MONTHS), basis: p.received_at ? 'received' : 'stored', from };
}

/** Overdue: the deadline's day has passed in Poland and the petition is not closed. */
export const isOverdue = (deadline: IsoDate, today: IsoDate, closed = false) => !closed && deadline < today;
