import type Database from 'better-sqlite3';
import type { ScoreResult } from '../decision/result.js';
import { facade, type Run } from './async-lock.js';
import type { CampaignName, DatedFilter, DatedRow, DatedWindow, Joint, JointMember, LevelCount, OpenFilter, PetitionSummary, StatusEntry, TrackRow, TrackStore } from './store.js';
import { searchQuery } from './sqlite-store.js';
import { indexWaiting } from './search-index.js';
import { CLOSED_SQL } from '../track/status.js';
import { summary, type SummaryRow } from './petition-rows.js';

export type { CampaignName, Joint, JointMember, StatusEntry, TrackRow } from './store.js';

const json = (v: unknown) => JSON.stringify(v);
/** A date written as an instant in UTC ('YYYY-MM-DDTHH:…Z'): counted per hour by levelCounts. */
const UTC_INSTANT_GLOB = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:*Z';
/** Whether petition p's latest status closes it. */
const closed = `EXISTS (SELECT 1 FROM petition_status s WHERE s.petition_id = p.id AND s.status IN (${CLOSED_SQL})
  AND s.seq = (SELECT MAX(t.seq) FROM petition_status t WHERE t.petition_id = p.id))`;

/**
 * The tables of the mass track (migrations 40–42) in the office's SQLite file, synchronous: campaign
 * names, petycja wielokrotna and its members, announcement templates, how each petition is dealt
 * with. Same file, same connection as the main store; `store.track` runs it asynchronously
 * (`asyncTrack`). What each method does: `TrackStore` in ./store.ts.
 */
export class SqliteTrackSync {
  constructor(private readonly db: Database.Database) {}

  // ── campaign names ────────────────────────────────────────────────────────────
  campaignNames(ids: readonly string[]): Map<string, CampaignName> {
    const rows = this.db.prepare('SELECT campaign_id, name, words, source, login, updated_at FROM campaign_names WHERE campaign_id IN (SELECT value FROM json_each(?))').all(json(ids)) as Array<Omit<CampaignName, 'words'> & { words: string }>;
    return new Map(rows.map((r) => [r.campaign_id, { ...r, words: JSON.parse(r.words) as string[] }]));
  }

  /** Keeps a clerk's name over an automatic one: an automatic name never replaces a clerk's. */
  setCampaignName(id: string, name: string, words: string[], source: 'auto' | 'clerk', login: string | null): void {
    this.db
      .prepare(
        `INSERT INTO campaign_names (campaign_id, name, words, source, login, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (campaign_id) DO UPDATE SET name = excluded.name, words = excluded.words, source = excluded.source, login = excluded.login, updated_at = excluded.updated_at
         WHERE campaign_names.source = 'auto' OR excluded.source = 'clerk'`,
      )
      .run(id, name, json(words), source, login, new Date().toISOString());
  }

  /** Texts the characteristic words are weighed against: recent petitions and campaigns' representative texts. */
  corpusTexts(limit: number): Array<{ text: string; campaign: string | null }> {
    const p = this.db.prepare('SELECT substr(p.text, 1, 4000) AS text, c.id AS campaign FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq ORDER BY p.seq DESC LIMIT ?').all(limit) as Array<{ text: string; campaign: string | null }>;
    const c = this.db.prepare('SELECT representative_text AS text, id AS campaign FROM campaigns WHERE representative_text IS NOT NULL ORDER BY seq DESC LIMIT ?').all(limit) as Array<{ text: string; campaign: string | null }>;
    return [...p, ...c];
  }

  /** Campaigns without a stored name, with their representative text. */
  unnamedCampaigns(ids: readonly string[]): Array<{ id: string; text: string | null; family: string | null }> {
    return this.db
      .prepare('SELECT c.id, c.representative_text AS text, c.family FROM campaigns c LEFT JOIN campaign_names n ON n.campaign_id = c.id WHERE n.campaign_id IS NULL AND c.id IN (SELECT value FROM json_each(?))')
      .all(json(ids)) as Array<{ id: string; text: string | null; family: string | null }>;
  }

  // ── petycja wielokrotna ───────────────────────────────────────────────────────
  createJoint(j: Omit<Joint, 'seq' | 'outcome' | 'outcome_by' | 'outcome_at'>): number {
    const info = this.db
      .prepare('INSERT INTO joint_considerations (campaign_id, subject, ordered_by, ordered_at, announced_on, waiting_end, deadline) VALUES (@campaign_id, @subject, @ordered_by, @ordered_at, @announced_on, @waiting_end, @deadline)')
      .run(j);
    return Number(info.lastInsertRowid);
  }

  joint(seq: number): Joint | null {
    return (this.db.prepare('SELECT * FROM joint_considerations WHERE seq = ?').get(seq) as Joint | undefined) ?? null;
  }

  jointOfCampaign(campaignId: string): Joint | null {
    return (this.db.prepare('SELECT * FROM joint_considerations WHERE campaign_id = ? ORDER BY seq DESC LIMIT 1').get(campaignId) as Joint | undefined) ?? null;
  }

  joints(): Joint[] {
    return this.db.prepare('SELECT * FROM joint_considerations ORDER BY seq DESC').all() as Joint[];
  }

  setOutcome(seq: number, outcome: string, login: string): void {
    this.db.prepare('UPDATE joint_considerations SET outcome = ?, outcome_by = ?, outcome_at = ? WHERE seq = ?').run(outcome, login, new Date().toISOString(), seq);
  }

  jointMembers(seq: number): Map<string, JointMember> {
    const rows = this.db.prepare('SELECT petition_id, state, decided_by, decided_at FROM joint_members WHERE joint_seq = ?').all(seq) as JointMember[];
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  setMember(seq: number, petitionId: string, state: JointMember['state'], login: string): void {
    this.db
      .prepare(
        `INSERT INTO joint_members (joint_seq, petition_id, state, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (joint_seq, petition_id) DO UPDATE SET state = excluded.state, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
      )
      .run(seq, petitionId, state, login, new Date().toISOString());
  }

  /** The petycja wielokrotna each of these petitions is a member of. */
  jointsOfPetitions(ids: readonly string[]): Map<string, Joint> {
    const rows = this.db
      .prepare(
        `SELECT m.petition_id, j.* FROM joint_members m JOIN joint_considerations j ON j.seq = m.joint_seq
         WHERE m.state = 'member' AND m.petition_id IN (SELECT value FROM json_each(?)) ORDER BY j.seq`,
      )
      .all(json(ids)) as Array<Joint & { petition_id: string }>;
    return new Map(rows.map(({ petition_id, ...j }) => [petition_id, j]));
  }

  /** Every petition in a petycja wielokrotna, with its joint's deadline. */
  allJointMembers(): Map<string, Joint> {
    const rows = this.db.prepare(`SELECT m.petition_id, j.* FROM joint_members m JOIN joint_considerations j ON j.seq = m.joint_seq WHERE m.state = 'member' ORDER BY j.seq`).all() as Array<Joint & { petition_id: string }>;
    return new Map(rows.map(({ petition_id, ...j }) => [petition_id, j]));
  }

  // ── announcement templates ────────────────────────────────────────────────────
  templates(): Map<string, { body: string; updated_by: string; updated_at: string }> {
    const rows = this.db.prepare('SELECT kind, body, updated_by, updated_at FROM announcement_templates').all() as Array<{ kind: string; body: string; updated_by: string; updated_at: string }>;
    return new Map(rows.map(({ kind, ...r }) => [kind, r]));
  }

  setTemplate(kind: string, body: string, login: string): void {
    this.db
      .prepare('INSERT INTO announcement_templates (kind, body, updated_by, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at')
      .run(kind, body, login, new Date().toISOString());
  }

  // ── progress ──────────────────────────────────────────────────────────────────
  addStatus(s: StatusEntry): void {
    this.db.prepare('INSERT INTO petition_status (petition_id, status, note, login, at) VALUES (?, ?, ?, ?, ?)').run(s.petition_id, s.status, s.note, s.login, s.at);
  }

  latestStatus(ids: readonly string[]): Map<string, StatusEntry> {
    const rows = this.db
      .prepare(
        `SELECT petition_id, status, note, login, at FROM petition_status s
         WHERE petition_id IN (SELECT value FROM json_each(?)) AND seq = (SELECT MAX(seq) FROM petition_status t WHERE t.petition_id = s.petition_id)`,
      )
      .all(json(ids)) as StatusEntry[];
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  allLatestStatus(): Map<string, StatusEntry> {
    const rows = this.db
      .prepare('SELECT petition_id, status, note, login, at FROM petition_status s WHERE seq = (SELECT MAX(seq) FROM petition_status t WHERE t.petition_id = s.petition_id)')
      .all() as StatusEntry[];
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  // ── petitions as the track reads them ─────────────────────────────────────────
  /** The WHERE clause of `datedRows`/`countDated`: the inbox filters, membership and the window's bounds. */
  private datedWhere(f: DatedFilter, members: boolean, open: OpenFilter | undefined, range: DatedWindow['range'], stored?: DatedWindow['stored']): { where: string[]; params: Record<string, unknown> } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const at = 'COALESCE(p.received_at, p.stored_at)';
    // members: the few rows of joint_members lead. A filter on a petition's own column, written
    // `+p.level`, is tested on those rows rather than read from its index (by petitions_level the
    // planner walked every petition of the level: 0.6 s for level=review at 1 000 000)
    const own = members ? '+p.' : 'p.';
    if (f.level) (where.push(`${own}level = @level`), (params.level = f.level));
    if (f.track) (where.push(`${own}track = @track`), (params.track = f.track));
    if (f.from) (where.push(`${at} >= @from`), (params.from = f.from));
    if (f.to) (where.push(`${at} <= @to`), (params.to = f.to));
    if (f.campaign) (where.push(`${own}campaign_seq = (SELECT seq FROM campaigns WHERE id = @campaign)`), (params.campaign = f.campaign));
    if (f.q) {
      // as the inbox's search: the full-text words (FTS5), or the exact id
      const match = searchQuery(f.q);
      // what waits for the full-text index enters it first (search-index.ts)
      if (match) indexWaiting(this.db);
      where.push(match ? '(p.seq IN (SELECT rowid FROM petitions_fts WHERE petitions_fts MATCH @match) OR p.id = @qExact)' : 'p.id = @qExact');
      if (match) params.match = match;
      params.qExact = f.q;
    }
    // members: read from the (small) table of members, not by testing every petition
    where.push(members ? `p.id IN (SELECT m.petition_id FROM joint_members m WHERE m.state = 'member')` : `NOT EXISTS (SELECT 1 FROM joint_members m WHERE m.petition_id = p.id AND m.state = 'member')`);
    // before the test of being closed (a look-up per row), so that it reads only the rows these keep
    if (stored && 'before' in stored) (where.push('p.stored_at < @storedBefore'), (params.storedBefore = stored.before));
    if (stored && 'from' in stored) (where.push('p.stored_at >= @storedFrom'), (params.storedFrom = stored.from));
    if (open) {
      where.push(open.overdue ? `${at} < @openHi AND NOT ${closed}` : `(${at} >= @openLo OR ${closed})`);
      if (open.overdue) params.openHi = open.hi;
      else params.openLo = open.lo;
    }
    if (range) (where.push(`${at} >= @rangeFrom AND ${at} < @rangeBefore`), (params.rangeFrom = range.from), (params.rangeBefore = range.before));
    return { where, params };
  }

  datedRows(f: DatedFilter, w: DatedWindow, members = false): DatedRow[] {
    if (members) {
      const { where, params } = this.datedWhere(f, true, undefined, w.range);
      return this.db.prepare(`SELECT p.id, p.received_at, p.stored_at, p.seq FROM petitions p WHERE ${where.join(' AND ')}`).all(params) as DatedRow[];
    }
    const { where, params } = this.datedWhere(f, false, w.open, w.range, w.stored);
    const key = w.order === 'received' ? 'COALESCE(p.received_at, p.stored_at)' : 'p.stored_at';
    if (w.after) {
      // the key's bound apart from the seq's, so the walk starts in the index, not at its beginning
      where.push(w.order === 'received' ? `${key} >= @afterKey AND (${key} > @afterKey OR p.seq > @afterSeq)` : `${key} <= @afterKey AND (${key} < @afterKey OR p.seq < @afterSeq)`);
      params.afterKey = w.after.key;
      params.afterSeq = w.after.seq;
    }
    params.limit = Number.isFinite(w.limit) ? w.limit : -1;
    const order = w.order === 'received' ? `${key}, p.seq` : `${key} DESC, p.seq DESC`;
    const columns = `p.id, p.received_at, p.stored_at, p.seq${w.open || w.withClosed ? `, ${closed} AS closed` : ''}`;
    // by receipt without words: walk petitions_received, which holds the filters too (by level the
    // planner took petitions_level and sorted all of a level's petitions at every step: 1.8 s at 1 000 000)
    // Overdue, newest first, without words (listByDeadline): those stored before the overdue bound
    // by walking petitions_stored from that bound (from the newest, the walk passed every petition
    // not yet overdue: ~1 s at 1 000 000); those stored after it, received before it, from the
    // index of receipt (in the days receiptLag allows), whose rows hold both dates.
    const stored = w.stored && !f.q ? ('before' in w.stored ? 'INDEXED BY petitions_stored ' : 'INDEXED BY petitions_received ') : '';
    const walk = stored || (w.order === 'received' && !f.q ? 'INDEXED BY petitions_received ' : '');
    return this.db.prepare(`SELECT ${columns} FROM petitions p ${walk}WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit`).all(params) as DatedRow[];
  }

  countDated(f: DatedFilter, open: OpenFilter | undefined, limit: number): number {
    const { where, params } = this.datedWhere(f, false, open, undefined);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM petitions p WHERE ${where.join(' AND ')} LIMIT @counted)`).get({ ...params, counted: limit }) as { n: number }).n;
  }

  summaries(ids: readonly string[]): PetitionSummary[] {
    const rows = this.db
      .prepare(
        `SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email, substr(p.text, 1, 400) AS excerpt, p.score, p.level, p.track,
                c.id AS campaign_id, c.size AS campaign_size
         FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq WHERE p.id IN (SELECT value FROM json_each(?))`,
      )
      .all(json(ids)) as SummaryRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [summary(r)] : [];
    });
  }

  /** Petitions received (or stored) in [from, to) — ISO instants or dates — oldest first. */
  rows(from?: string, to?: string): TrackRow[] {
    return this.db
      .prepare(
        `SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email, p.text, p.level, p.track, c.id AS campaign_id
         FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq
         WHERE (@from IS NULL OR COALESCE(p.received_at, p.stored_at) >= @from) AND (@to IS NULL OR COALESCE(p.received_at, p.stored_at) < @to)
         ORDER BY COALESCE(p.received_at, p.stored_at), p.seq`,
      )
      .all({ from: from ?? null, to: to ?? null }) as TrackRow[];
  }

  /** See TrackStore.levelCounts: counted in the database, from the index petitions_received alone. */
  levelCounts(from: string, before: string): LevelCount[] {
    const at = 'COALESCE(received_at, stored_at)';
    return this.db
      .prepare(
        `SELECT CASE WHEN ${at} GLOB '${UTC_INSTANT_GLOB}' THEN substr(${at}, 1, 13) || ':00:00Z' ELSE ${at} END AS at, level, COUNT(*) AS n
         FROM petitions INDEXED BY petitions_received WHERE ${at} >= ? AND ${at} < ? GROUP BY 1, 2`,
      )
      .all(from, before) as LevelCount[];
  }

  /** See TrackStore.receiptLag: two look-ups in the index petitions_receipt_lag. */
  receiptLag(): number | null {
    const lag = 'julianday(substr(stored_at, 1, 10)) - julianday(substr(received_at, 1, 10))';
    const unread = this.db.prepare(`SELECT 1 FROM petitions INDEXED BY petitions_receipt_lag WHERE received_at IS NOT NULL AND ${lag} IS NULL LIMIT 1`).get();
    if (unread) return null;
    const top = this.db.prepare(`SELECT ${lag} AS days FROM petitions INDEXED BY petitions_receipt_lag WHERE received_at IS NOT NULL ORDER BY 1 DESC LIMIT 1`).get() as { days: number } | undefined;
    return Math.max(0, Math.ceil(top?.days ?? 0));
  }

  /** Every campaign member's date, for growth lines. */
  campaignMemberDates(campaignIds: readonly string[]): Map<string, string[]> {
    const rows = this.db
      .prepare(
        `SELECT c.id AS campaign_id, COALESCE(p.received_at, p.stored_at) AS at FROM petitions p JOIN campaigns c ON c.seq = p.campaign_seq
         WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY at`,
      )
      .all(json(campaignIds)) as Array<{ campaign_id: string; at: string }>;
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.campaign_id, [...(out.get(r.campaign_id) ?? []), r.at]);
    return out;
  }

  /** Each petition's latest mark with the level Sito gave it. */
  marksWithLevels(): Array<{ petition_id: string; label: 'mass' | 'regular'; level: ScoreResult['level']; at: string }> {
    return this.db
      .prepare(
        `SELECT f.petition_id, f.label, p.level, f.at FROM feedback f JOIN petitions p ON p.id = f.petition_id
         WHERE f.seq = (SELECT MAX(seq) FROM feedback g WHERE g.petition_id = f.petition_id)`,
      )
      .all() as Array<{ petition_id: string; label: 'mass' | 'regular'; level: ScoreResult['level']; at: string }>;
  }
}

const TRACK_METHODS = [
  'campaignNames', 'setCampaignName', 'corpusTexts', 'unnamedCampaigns',
  'createJoint', 'joint', 'jointOfCampaign', 'joints', 'setOutcome', 'jointMembers', 'setMember', 'jointsOfPetitions', 'allJointMembers',
  'templates', 'setTemplate', 'addStatus', 'latestStatus', 'allLatestStatus',
  'datedRows', 'countDated', 'summaries', 'rows', 'levelCounts', 'receiptLag', 'campaignMemberDates', 'marksWithLevels',
] as const satisfies ReadonlyArray<keyof TrackStore>;

/** The track store over SQLite: each call runs `core`'s method through `run` (the store's lock, or its open transaction). */
export function asyncTrack(core: SqliteTrackSync, run: Run): TrackStore {
  return facade(core, TRACK_METHODS, run);
}
