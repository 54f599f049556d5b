/**
 * Where each stored petition stands on the track: its deadline (its own or its petycja
 * wielokrotna's), whether it is overdue, its progress and its formal check. Reads the track store;
 * the rules are the pure functions beside this file.
 */
import type { Joint, PetitionFilter, PetitionPage, StatusEntry, StoredPetition, TrackStore } from '../storage/store.js';
import { deadlineOf, isOverdue, warsawDate, type Deadline, type IsoDate } from './deadlines.js';
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

/** The inbox ordered by deadline (soonest first) and/or only overdue petitions. */
export async function listByDeadline(ts: TrackStore, f: PetitionFilter, q: DeadlineQuery, day = today()): Promise<PetitionPage> {
  const rows = await ts.petitionDates(f);
  const joints = await ts.allJointMembers();
  const statuses = await ts.allLatestStatus();
  let items = rows.map((r) => ({ r, s: standing(r, joints.get(r.id) ?? null, statuses.get(r.id) ?? null, day) }));
  if (q.overdue !== undefined) items = items.filter((i) => i.s.overdue === q.overdue);
  if (q.order === 'deadline') items.sort((a, b) => (a.s.deadline.date < b.s.deadline.date ? -1 : a.s.deadline.date > b.s.deadline.date ? 1 : a.r.seq - b.r.seq));
  else items.sort((a, b) => (a.r.stored_at < b.r.stored_at ? 1 : a.r.stored_at > b.r.stored_at ? -1 : b.r.seq - a.r.seq));
  const pageIds = items.slice(f.offset, f.offset + f.limit).map((i) => i.r.id);
  return { items: await ts.summaries(pageIds), total: items.length, total_exact: true, limit: f.limit, offset: f.offset };
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
