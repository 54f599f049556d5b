/**
 * Where each stored petition stands on the track: its deadline (its own or its petycja
 * wielokrotna's), whether it is overdue, its progress and its formal check. Reads the track store;
 * the rules are the pure functions beside this file.
 */
import type { DatedFilter, DatedRow, DatedWindow, Joint, OpenFilter, PetitionFilter, PetitionPage, StatusEntry, StoredPetition, TrackStore } from '../storage/store.js';
import { cappedTotal, countLimit, totalCap } from '../storage/listing-total.js';
import { addDays, addMonths, ANSWER_MONTHS, deadlineOf, isOverdue, warsawDate, type Deadline, type IsoDate } from './deadlines.js';
import { checkFormal, formalFlags, type FormalCheck } from './formal.js';
import { CLOSED, STATUSES, type Status } from './status.js';

export interface PetitionStanding {
  deadline: Deadline;
  overdue: boolean;
  status: StatusEntry | null;
  joint: Joint | null;
  closed: boolean;
}

export const today = (): IsoDate => warsawDate(new Date());

function standing(p: { received_at: string | null; stored_at: string }, joint: Joint | null, status: StatusEntry | null, day: IsoDate): PetitionStanding {
  const deadline = deadlineOf(p, joint);
  const closed = (status !== null && CLOSED.has(status.status)) || Boolean(joint?.outcome);
  return { deadline, overdue: isOverdue(deadline.date, day, closed), status, joint, closed };
}

export async function standings(ts: TrackStore, ps: ReadonlyArray<{ id: string; received_at: string | null; stored_at: string }>, day = today()): Promise<Map<string, PetitionStanding>> {
  const ids = ps.map((p) => p.id);
  const joints = await ts.jointsOfPetitions(ids);
  const statuses = await ts.latestStatus(ids);
  return new Map(ps.map((p) => [p.id, standing(p, joints.get(p.id) ?? null, statuses.get(p.id) ?? null, day)]));
}

export interface DeadlineQuery {
  order: 'newest' | 'deadline';
  overdue?: boolean | undefined;
}

/** The first day a petition can be received on and not be overdue `day` (its deadline, 3 months on, is `day` or later). */
export function firstOpenDay(day: IsoDate): IsoDate {
  // addMonths never decreases: step back 3 months and forward to the first day that reaches `day`
  let d = addDays(addMonths(day, -ANSWER_MONTHS), -3);
  while (addMonths(d, ANSWER_MONTHS) < day) d = addDays(d, 1);
  return d;
}

/**
 * The SQL superset of overdue (or not overdue) petitions outside a petycja wielokrotna. A petition
 * received at an instant written 'YYYY-MM-DD…' was received in Poland on that day, the day before
 * or the day after (whatever its UTC offset), so compared as text with two days' margin either side
 * of `firstOpenDay` the SQL bounds are exact outside [lo, hi); the rows within are checked here.
 */
function openFilter(overdue: boolean | undefined, day: IsoDate): OpenFilter | undefined {
  if (overdue === undefined) return undefined;
  const first = firstOpenDay(day);
  return { overdue, lo: addDays(first, -2), hi: addDays(first, 2) };
}

type Item = { r: DatedRow; s: PetitionStanding };

const HOUR = 3_600_000;

/**
 * `deadlineOf` without a joint, for the thousands of rows a listing may read: the day in Poland is
 * the same through a whole UTC hour (its offsets are whole hours), so it is computed once an hour.
 */
function regularDeadlines(): (p: { received_at: string | null; stored_at: string }) => Deadline {
  const days = new Map<number, Deadline['date']>();
  const due = new Map<IsoDate, IsoDate>();
  return (p) => {
    const at = p.received_at ?? p.stored_at;
    const t = /^\d{4}-\d{2}-\d{2}$/.test(at) ? NaN : Date.parse(at);
    if (Number.isNaN(t)) return deadlineOf(p, null);
    const hour = Math.floor(t / HOUR);
    let from = days.get(hour);
    if (from === undefined) days.set(hour, (from = warsawDate(new Date(hour * HOUR))));
    let date = due.get(from);
    if (date === undefined) due.set(from, (date = addMonths(from, ANSWER_MONTHS)));
    return { date, basis: p.received_at ? 'received' : 'stored', from };
  };
}

/**
 * The standing of a petition outside a petycja wielokrotna from its listing row: the deadline from
 * its dates (`deadline`: regularDeadlines()), closed as the database says (the row's `closed`).
 */
function regularItem(r: DatedRow, deadline: ReturnType<typeof regularDeadlines>, day: IsoDate): Item {
  const d = deadline(r);
  const closed = Boolean(r.closed);
  return { r, s: { deadline: d, overdue: isOverdue(d.date, day, closed), status: null, joint: null, closed } };
}

/** Members of a petycja wielokrotna matching `filter`, with their standing: their joint's deadline and outcome, their latest status. */
async function memberItems(ts: TrackStore, filter: DatedFilter, day: IsoDate): Promise<Item[]> {
  const members = await ts.datedRows(filter, { order: 'received', limit: Infinity }, true);
  const st = await standings(ts, members, day);
  return members.map((r) => ({ r, s: st.get(r.id)! }));
}

const byDeadline = (a: Item, b: Item) => (a.s.deadline.date < b.s.deadline.date ? -1 : a.s.deadline.date > b.s.deadline.date ? 1 : a.r.seq - b.r.seq);
const byNewest = (a: Item, b: Item) => (a.r.stored_at < b.r.stored_at ? 1 : a.r.stored_at > b.r.stored_at ? -1 : b.r.seq - a.r.seq);

/** Rows read from the database at the first step of a listing by deadline; each next step reads twice as many, up to MAX_STEP. */
const STEP = 500;
const MAX_STEP = 8000;

/**
 * The inbox ordered by deadline (soonest first; ties in storage order) and/or only overdue (or not
 * overdue) petitions, newest first otherwise. Bounded: the database walks petitions in the order of
 * receipt (index petitions_received) or storage, a step at a time, and stops once the page is
 * certain; members of a petycja wielokrotna (whose deadline runs from the joint's waiting period,
 * not their receipt) are few and merged in. The total is counted to the cap like the other
 * listings (listing-total.ts); a page starting at or past the cap is empty — the listing pages
 * through the first `cap` petitions only.
 */
export async function listByDeadline(ts: TrackStore, f: PetitionFilter, q: DeadlineQuery, day = today(), step = STEP): Promise<PetitionPage> {
  const cap = totalCap(f.totalCap);
  const { limit, offset, totalCap: _cap, ...filter } = f;
  const open = openFilter(q.overdue, day);
  const keep = (s: PetitionStanding) => q.overdue === undefined || s.overdue === q.overdue;
  const joint = (await memberItems(ts, filter, day)).filter((i) => keep(i.s));
  // the others: closed as the database says (read with `open` only)
  const deadline = regularDeadlines();
  const items = (rows: DatedRow[]): Item[] => rows.map((r) => regularItem(r, deadline, day)).filter((i) => keep(i.s));

  // the total: the SQL superset counted, less the rows near the bound that the exact rule leaves out
  let misses = 0;
  if (open) {
    const band = await ts.datedRows(filter, { order: 'received', open, range: { from: open.lo, before: open.hi }, limit: Infinity });
    misses = band.length - items(band).length;
  }
  const counted = (await ts.countDated(filter, open, countLimit(cap) + misses)) - misses;
  const total = cappedTotal(counted + joint.length, cap);
  const page = { total: total.total, total_exact: total.total_exact, limit, offset };
  if (offset >= total.total || limit === 0) return { items: [], ...page };

  const end = offset + limit;
  const order = q.order === 'deadline' ? byDeadline : byNewest;
  const found: Item[] = [];
  // Overdue, newest first: an overdue petition was received before open.hi. Those stored on or
  // after it (received before they were stored) are the newest and are read first; the walk then
  // goes on from open.hi in the order of storing, instead of from the newest petition past every
  // one not yet overdue. Otherwise one walk.
  const parts: Array<Pick<DatedWindow, 'stored' | 'range'>> = [{}];
  if (q.order === 'newest' && open?.overdue) {
    // those stored on or after the bound were received at most `lag` days before the day they were
    // stored, so on or after the bound less that many days (3 more for a day past a month's end,
    // which SQLite reads on into the next month); with no bound known, anywhere before it
    const lag = await ts.receiptLag();
    parts[0] = { stored: { from: open.hi }, range: lag === null ? undefined : { from: addDays(open.hi, -(lag + 3)), before: open.hi } };
    parts.push({ stored: { before: open.hi } });
  }
  for (const { stored, range } of parts) {
    if (found.length >= end) break;
    let after: { key: string; seq: number } | undefined;
    for (let n = step; ; n = Math.min(n * 2, MAX_STEP)) {
      const rows = await ts.datedRows(filter, { order: q.order === 'deadline' ? 'received' : 'newest', open, stored, range, after, limit: n });
      found.push(...items(rows));
      if (rows.length < n) break;
      const last = rows[rows.length - 1]!;
      after = { key: q.order === 'deadline' ? (last.received_at ?? last.stored_at) : last.stored_at, seq: last.seq };
      if (found.length < end) continue;
      if (q.order === 'newest') break;
      // every petition not read yet was received on the last one's day (as written) or later, so in
      // Poland no earlier than the day before: its deadline is at least that day's plus 3 months
      found.sort(order);
      if (addMonths(addDays(after.key.slice(0, 10), -1), ANSWER_MONTHS) > found[end - 1]!.s.deadline.date) break;
    }
  }
  const ids = [...found, ...joint].sort(order).slice(offset, end).map((i) => i.r.id);
  return { items: await ts.summaries(ids), ...page };
}

/**
 * Petitions not closed whose deadline falls from `first` to `last` (dates in Poland), soonest first
 * (ties in storage order), with whether each is overdue on `day`: the start page's deadlines this
 * week. As in listByDeadline, petitions received in the matching days are read with their closed
 * state from the database (with two days' margin for the time of day, checked exactly here), and
 * the few members of a petycja wielokrotna apart.
 */
export async function dueBetween(ts: TrackStore, first: IsoDate, last: IsoDate, day: IsoDate): Promise<Array<{ r: DatedRow; s: PetitionStanding }>> {
  const received = { from: addDays(firstOpenDay(first), -2), before: addDays(firstOpenDay(addDays(last, 1)), 2) };
  const rows = await ts.datedRows({}, { order: 'received', range: received, withClosed: true, limit: Infinity });
  const deadline = regularDeadlines();
  const items = [...rows.map((r) => regularItem(r, deadline, day)), ...(await memberItems(ts, {}, day))];
  return items.filter((i) => !i.s.closed && i.s.deadline.date >= first && i.s.deadline.date <= last).sort(byDeadline);
}

/** What GET /v1/petitions/:id adds: `deadline` and `formal` (CONTRACTS), with the details behind them. */
export async function trackFields(ts: TrackStore, p: StoredPetition, day = today()) {
  const s = (await standings(ts, [p], day)).get(p.id)!;
  const formal: FormalCheck = checkFormal({ text: p.text, subject: p.subject, sender: p.sender });
  return {
    deadline: s.deadline.date,
    deadline_basis: s.deadline.basis,
    overdue: s.overdue,
    status: s.status ? { code: s.status.status, label: STATUSES[s.status.status as Status] ?? s.status.status, by: s.status.login, at: s.status.at } : null,
    joint: s.joint ? { id: s.joint.seq, campaign_id: s.joint.campaign_id, waiting_end: s.joint.waiting_end, deadline: s.joint.deadline } : null,
    formal: formalFlags(formal),
    formal_details: formal,
  };
}
