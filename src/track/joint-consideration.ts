/**
 * Petycja wielokrotna (art. 11 of the Petitions Act): which petitions of a campaign belong to it.
 *
 * - art. 11 ust. 1: further petitions in the same matter arriving within a month of the first may
 *   be considered jointly;
 * - art. 11 ust. 2: a waiting period for further petitions (at most 2 months from its announcement)
 *   is announced; the deadline runs from its end.
 *
 * A copy that arrived within the month or the waiting period and matched the campaign's template
 * closely joins by itself; a looser match, one that arrived after the waiting period, or one the
 * office handles on its own track waits for a clerk.
 */
import { addMonths, jointDeadline, latestWaitingEnd, warsawDate, type IsoDate } from './deadlines.js';

export interface JointPlan {
  announced_on: IsoDate;
  waiting_end: IsoDate;
  deadline: IsoDate;
}

export type PlanError = { field: string; message: string };

/** Checks the clerk's dates: the waiting period ends after the announcement and at most 2 months after it. */
export function planJoint(announcedOn: string, waitingEnd: string): JointPlan | PlanError {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(announcedOn) || Number.isNaN(Date.parse(announcedOn))) return { field: 'data_ogloszenia', message: 'Podaj datę ogłoszenia (RRRR-MM-DD).' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(waitingEnd) || Number.isNaN(Date.parse(waitingEnd))) return { field: 'koniec_oczekiwania', message: 'Podaj datę końca okresu oczekiwania (RRRR-MM-DD).' };
  if (waitingEnd < announcedOn) return { field: 'koniec_oczekiwania', message: 'Okres oczekiwania nie może skończyć się przed ogłoszeniem.' };
  const latest = latestWaitingEnd(announcedOn);
  if (waitingEnd > latest) return { field: 'koniec_oczekiwania', message: `Okres oczekiwania może trwać najwyżej 2 miesiące od ogłoszenia (art. 11 ust. 2): najpóźniej do ${latest}.` };
  return { announced_on: announcedOn, waiting_end: waitingEnd, deadline: jointDeadline(waitingEnd) };
}

export interface Candidate {
  id: string;
  received: string;
  /** similarity of the petition to the campaign's template (1 for the representative), if known */
  similarity: number | null;
}

export type Proposal = 'member' | 'borderline' | 'late';

/** Similarity at or above which a copy joins without a clerk's look. */
export const CLEAR_SIMILARITY = 0.8;

export function propose(c: Candidate, firstReceived: IsoDate, waitingEnd: IsoDate): { proposal: Proposal; why: string } {
  const day = warsawDate(c.received);
  const month = addMonths(firstReceived, 1);
  const last = waitingEnd > month ? waitingEnd : month;
  if (day > last) return { proposal: 'late', why: `wpłynęła ${day}, po końcu okresu oczekiwania (${waitingEnd})` };
  if (c.similarity !== null && c.similarity < CLEAR_SIMILARITY) return { proposal: 'borderline', why: `podobieństwo do wzoru ${Math.round(c.similarity * 100)}% — sprawdź, czy to ta sama sprawa` };
  return { proposal: 'member', why: day <= month ? `wpłynęła ${day}, w ciągu miesiąca od pierwszej (art. 11 ust. 1)` : `wpłynęła ${day}, w okresie oczekiwania (art. 11 ust. 2)` };
}
