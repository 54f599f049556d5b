/**
 * The website register of petitions (art. 8 of the Petitions Act) and the yearly summary (art. 14).
 *
 * - art. 8 ust. 1: each petition is published without delay with the date it was submitted and —
 *   only where the submitter consented under art. 4 ust. 3 — the submitter's name; ust. 2: the
 *   information is kept up to date on the progress of the proceedings;
 * - art. 14: by 30 June, information on the petitions dealt with in the previous year: their
 *   number, subjects and how they were dealt with.
 *
 * Pure: rows in, register entries out. A name leaves the office only with a consent the formal
 * check found in the text, and never one it did not (a refusal wins).
 */
import type { Joint, StatusEntry, TrackRow } from '../storage/store.js';
import { deadlineOf, warsawDate } from './deadlines.js';
import { checkFormal, type FormalCheck } from './formal.js';
import { CLOSED, STATUSES, type Status } from './status.js';

export interface RegisterEntry {
  number: string;
  received: string;
  subject: string;
  submitter: string | null;
  status: string;
  status_date: string | null;
  deadline: string;
  joint: string | null;
  outcome: string | null;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The subject for the register: the subject field, else the "w sprawie …" line the formal check found, else the first line. */
export function subjectOf(r: Pick<TrackRow, 'subject' | 'text'>, checked?: FormalCheck): string {
  if (r.subject?.trim()) return oneLine(r.subject).slice(0, 200);
  const f = checked ?? checkFormal({ text: r.text });
  const ev = f.elements.subject.evidence[0]?.text;
  return oneLine(ev ?? r.text.split('\n').find((l) => l.trim()) ?? '').slice(0, 200);
}

/** The name to publish: only with consent (art. 4 ust. 3, art. 8 ust. 1). */
export function publishableName(r: Pick<TrackRow, 'text' | 'sender_name' | 'subject'>, checked?: FormalCheck): string | null {
  const f = checked ?? checkFormal({ text: r.text, subject: r.subject, sender: { name: r.sender_name } });
  if (!f.elements.consent_to_publish.found) return null;
  const s = f.elements.submitter;
  if (!s.found) return null;
  // a legal person: its name and its representative; a person: the name the check found
  const names = s.evidence.map((e) => oneLine(e.text));
  return (names.length ? names.join(', ') : (s.value ?? null))?.slice(0, 200) ?? null;
}

export function registerEntries(rows: readonly TrackRow[], statuses: Map<string, StatusEntry>, joints: Map<string, Joint>): RegisterEntry[] {
  return rows.map((r) => {
    const st = statuses.get(r.id) ?? null;
    const j = joints.get(r.id) ?? null;
    const f = checkFormal({ text: r.text, subject: r.subject, sender: { name: r.sender_name } });
    const closedByJoint = j?.outcome ? 'Rozpatrzona łącznie — ogłoszono sposób załatwienia (art. 11 ust. 4)' : null;
    return {
      number: r.id,
      received: warsawDate(r.received_at ?? r.stored_at),
      subject: j ? oneLine(j.subject).slice(0, 200) : subjectOf(r, f),
      submitter: publishableName(r, f),
      status: closedByJoint ?? (st ? (STATUSES[st.status as Status] ?? st.status) : j ? 'W rozpatrzeniu łącznym (petycja wielokrotna, art. 11)' : STATUSES.wplynela),
      status_date: j?.outcome_at ? warsawDate(j.outcome_at) : st ? warsawDate(st.at) : null,
      deadline: deadlineOf(r, j).date,
      joint: j ? 'tak' : null,
      outcome: j?.outcome ?? (st && CLOSED.has(st.status) ? st.note : null),
    };
  });
}

export const REGISTER_COLUMNS: Array<[keyof RegisterEntry, string]> = [
  ['number', 'Numer'],
  ['received', 'Data złożenia'],
  ['subject', 'Przedmiot'],
  ['submitter', 'Wnoszący (za zgodą, art. 4 ust. 3)'],
  ['status', 'Przebieg postępowania'],
  ['status_date', 'Data ostatniej czynności'],
  ['deadline', 'Termin rozpatrzenia'],
  ['joint', 'Petycja wielokrotna'],
  ['outcome', 'Sposób załatwienia'],
];

export interface YearSummary {
  year: number;
  /** art. 14: petitions dealt with in the year (a petycja wielokrotna counts once, with its petitions) */
  dealt_with: number;
  received: number;
  open: number;
  by_outcome: Array<{ status: string; count: number }>;
  subjects: Array<{ subject: string; petitions: number; joint: boolean; status: string; outcome: string | null }>;
}

/** art. 14 for `year`: petitions closed that year (received any time), grouped by subject; a petycja wielokrotna is one item. */
export function yearSummary(year: number, rows: readonly TrackRow[], statuses: Map<string, StatusEntry>, joints: Map<string, Joint>): YearSummary {
  const inYear = (iso: string | null | undefined) => Boolean(iso) && warsawDate(iso!).startsWith(`${year}-`);
  const items = new Map<string, YearSummary['subjects'][number]>();
  let received = 0;
  let open = 0;
  for (const r of rows) {
    if (inYear(r.received_at ?? r.stored_at)) received++;
    const j = joints.get(r.id);
    const st = statuses.get(r.id);
    if (j) {
      if (!j.outcome || !inYear(j.outcome_at)) {
        if (inYear(r.received_at ?? r.stored_at)) open++;
        continue;
      }
      const key = `joint:${j.seq}`;
      const it = items.get(key) ?? { subject: oneLine(j.subject), petitions: 0, joint: true, status: 'Rozpatrzona łącznie (art. 11)', outcome: j.outcome };
      it.petitions++;
      items.set(key, it);
    } else if (st && CLOSED.has(st.status) && inYear(st.at)) {
      items.set(r.id, { subject: subjectOf(r), petitions: 1, joint: false, status: STATUSES[st.status as Status] ?? st.status, outcome: st.note });
    } else if (inYear(r.received_at ?? r.stored_at)) open++;
  }
  const subjects = [...items.values()];
  const by = new Map<string, number>();
  for (const s of subjects) by.set(s.status, (by.get(s.status) ?? 0) + 1);
  return { year, dealt_with: subjects.length, received, open, by_outcome: [...by].map(([status, count]) => ({ status, count })), subjects };
}

export function summaryText(s: YearSummary, organ = 'Organ'): string {
  const lines = [
    `Informacja zbiorcza o petycjach rozpatrzonych w ${s.year} roku (art. 14 ustawy z dnia 11 lipca 2014 r. o petycjach)`,
    `${organ}`,
    '',
    `Liczba petycji rozpatrzonych: ${s.dealt_with} (petycja wielokrotna liczona jako jedna).`,
    `Petycji, które wpłynęły w ${s.year} r.: ${s.received}; w toku na koniec roku: ${s.open}.`,
    '',
    'Sposób załatwienia:',
    ...s.by_outcome.map((b) => `  ${b.status}: ${b.count}`),
    '',
    'Przedmiot petycji:',
    ...s.subjects.map((x, i) => `  ${i + 1}. ${x.subject}${x.joint ? ` (petycja wielokrotna, ${x.petitions} petycji)` : ''} — ${x.status}${x.outcome ? `: ${x.outcome}` : ''}`),
    '',
    `Do zamieszczenia na stronie internetowej do 30 czerwca ${s.year + 1} r.`,
  ];
  return lines.join('\n');
}
