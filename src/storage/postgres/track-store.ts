import type { ScoreResult } from '../../decision/result.js';
import type { CampaignName, DatedFilter, DatedRow, DatedWindow, Joint, JointMember, LevelCount, OpenFilter, PetitionSummary, StatusEntry, TrackRow, TrackStore } from '../store.js';
import { CLOSED_SQL } from '../../track/status.js';
import { searchTsQuery } from './search.js';
import { summary, type SummaryRow } from '../petition-rows.js';
import { params, type Queryable } from './connection.js';

/** When a petition was received (or stored), compared byte by byte as the index petitions_received holds it. */
const AT = 'COALESCE(p.received_at, p.stored_at) COLLATE "C"';
/** Whether petition p's latest status closes it. */
const CLOSED_NOW = `EXISTS (SELECT 1 FROM (SELECT s.status FROM petition_status s WHERE s.petition_id = p.id ORDER BY s.seq DESC LIMIT 1) l WHERE l.status IN (${CLOSED_SQL}))`;

const JOINT = 'seq, campaign_id, subject, ordered_by, ordered_at, announced_on, waiting_end, deadline, outcome, outcome_by, outcome_at';

/** The mass track's tables (migrations 40–42) on PostgreSQL, in the office's database. */
export class PostgresTrackStore implements TrackStore {
  constructor(private readonly q: Queryable) {}

  private async all<T>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.q.query(sql, values)).rows as T[];
  }

  async campaignNames(ids: readonly string[]): Promise<Map<string, CampaignName>> {
    const rows = await this.all<Omit<CampaignName, 'words'> & { words: string }>('SELECT campaign_id, name, words, source, login, updated_at FROM campaign_names WHERE campaign_id = ANY($1::text[])', [ids]);
    return new Map(rows.map((r) => [r.campaign_id, { ...r, words: JSON.parse(r.words) as string[] }]));
  }

  async setCampaignName(id: string, name: string, words: string[], source: 'auto' | 'clerk', login: string | null): Promise<void> {
    await this.q.query(
      `INSERT INTO campaign_names (campaign_id, name, words, source, login, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (campaign_id) DO UPDATE SET name = excluded.name, words = excluded.words, source = excluded.source, login = excluded.login, updated_at = excluded.updated_at
       WHERE campaign_names.source = 'auto' OR excluded.source = 'clerk'`,
      [id, name, JSON.stringify(words), source, login, new Date().toISOString()],
    );
  }

  async corpusTexts(limit: number): Promise<Array<{ text: string; campaign: string | null }>> {
    const p = await this.all<{ text: string; campaign: string | null }>('SELECT substr(p.text, 1, 4000) AS text, c.id AS campaign FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq ORDER BY p.seq DESC LIMIT $1', [limit]);
    const c = await this.all<{ text: string; campaign: string | null }>('SELECT representative_text AS text, id AS campaign FROM campaigns WHERE representative_text IS NOT NULL ORDER BY seq DESC LIMIT $1', [limit]);
    return [...p, ...c];
  }

  unnamedCampaigns(ids: readonly string[]): Promise<Array<{ id: string; text: string | null; family: string | null }>> {
    return this.all('SELECT c.id, c.representative_text AS text, c.family FROM campaigns c LEFT JOIN campaign_names n ON n.campaign_id = c.id WHERE n.campaign_id IS NULL AND c.id = ANY($1::text[]) ORDER BY c.seq', [ids]);
  }

  async createJoint(j: Omit<Joint, 'seq' | 'outcome' | 'outcome_by' | 'outcome_at'>): Promise<number> {
    return (
      await this.q.query<{ seq: number }>(
        'INSERT INTO joint_considerations (campaign_id, subject, ordered_by, ordered_at, announced_on, waiting_end, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq',
        [j.campaign_id, j.subject, j.ordered_by, j.ordered_at, j.announced_on, j.waiting_end, j.deadline],
      )
    ).rows[0]!.seq;
  }

  async joint(seq: number): Promise<Joint | null> {
    return (await this.all<Joint>(`SELECT ${JOINT} FROM joint_considerations WHERE seq = $1`, [seq]))[0] ?? null;
  }

  async jointOfCampaign(campaignId: string): Promise<Joint | null> {
    return (await this.all<Joint>(`SELECT ${JOINT} FROM joint_considerations WHERE campaign_id = $1 ORDER BY seq DESC LIMIT 1`, [campaignId]))[0] ?? null;
  }

  joints(): Promise<Joint[]> {
    return this.all<Joint>(`SELECT ${JOINT} FROM joint_considerations ORDER BY seq DESC`);
  }

  async setOutcome(seq: number, outcome: string, login: string): Promise<void> {
    await this.q.query('UPDATE joint_considerations SET outcome = $1, outcome_by = $2, outcome_at = $3 WHERE seq = $4', [outcome, login, new Date().toISOString(), seq]);
  }

  async jointMembers(seq: number): Promise<Map<string, JointMember>> {
    const rows = await this.all<JointMember>('SELECT petition_id, state, decided_by, decided_at FROM joint_members WHERE joint_seq = $1', [seq]);
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  async setMember(seq: number, petitionId: string, state: JointMember['state'], login: string): Promise<void> {
    await this.q.query(
      `INSERT INTO joint_members (joint_seq, petition_id, state, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (joint_seq, petition_id) DO UPDATE SET state = excluded.state, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
      [seq, petitionId, state, login, new Date().toISOString()],
    );
  }

  async jointsOfPetitions(ids: readonly string[]): Promise<Map<string, Joint>> {
    const rows = await this.all<Joint & { petition_id: string }>(
      `SELECT m.petition_id, ${JOINT.split(', ').map((c) => `j.${c}`).join(', ')} FROM joint_members m JOIN joint_considerations j ON j.seq = m.joint_seq
       WHERE m.state = 'member' AND m.petition_id = ANY($1::text[]) ORDER BY j.seq`,
      [ids],
    );
    return new Map(rows.map(({ petition_id, ...j }) => [petition_id, j]));
  }

  async allJointMembers(): Promise<Map<string, Joint>> {
    const rows = await this.all<Joint & { petition_id: string }>(
      `SELECT m.petition_id, ${JOINT.split(', ').map((c) => `j.${c}`).join(', ')} FROM joint_members m JOIN joint_considerations j ON j.seq = m.joint_seq WHERE m.state = 'member' ORDER BY j.seq`,
    );
    return new Map(rows.map(({ petition_id, ...j }) => [petition_id, j]));
  }

  async templates(): Promise<Map<string, { body: string; updated_by: string; updated_at: string }>> {
    const rows = await this.all<{ kind: string; body: string; updated_by: string; updated_at: string }>('SELECT kind, body, updated_by, updated_at FROM announcement_templates');
    return new Map(rows.map(({ kind, ...r }) => [kind, r]));
  }

  async setTemplate(kind: string, body: string, login: string): Promise<void> {
    await this.q.query(
      'INSERT INTO announcement_templates (kind, body, updated_by, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kind) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
      [kind, body, login, new Date().toISOString()],
    );
  }

  async addStatus(s: StatusEntry): Promise<void> {
    await this.q.query('INSERT INTO petition_status (petition_id, status, note, login, at) VALUES ($1, $2, $3, $4, $5)', [s.petition_id, s.status, s.note, s.login, s.at]);
  }

  async latestStatus(ids: readonly string[]): Promise<Map<string, StatusEntry>> {
    const rows = await this.all<StatusEntry>('SELECT DISTINCT ON (petition_id) petition_id, status, note, login, at FROM petition_status WHERE petition_id = ANY($1::text[]) ORDER BY petition_id, seq DESC', [ids]);
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  async allLatestStatus(): Promise<Map<string, StatusEntry>> {
    const rows = await this.all<StatusEntry>('SELECT DISTINCT ON (petition_id) petition_id, status, note, login, at FROM petition_status ORDER BY petition_id, seq DESC');
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  /** The WHERE clause of `datedRows`/`countDated`: the inbox filters, membership and the window's bounds. */
  private datedWhere(f: DatedFilter, members: boolean, open: OpenFilter | undefined, range: DatedWindow['range'], p: (v: unknown) => string, stored?: DatedWindow['stored']): string[] {
    const where: string[] = [];
    if (f.level) where.push(`p.level = ${p(f.level)}`);
    if (f.track) where.push(`p.track = ${p(f.track)}`);
    if (f.from) where.push(`${AT} >= ${p(f.from)}`);
    if (f.to) where.push(`${AT} <= ${p(f.to)}`);
    if (f.campaign) where.push(`p.campaign_seq = (SELECT seq FROM campaigns WHERE id = ${p(f.campaign)})`);
    if (f.q) {
      // as the inbox's search: the full-text words, or the exact id
      const match = searchTsQuery(f.q);
      const id = p(f.q);
      where.push(match ? `(p.search @@ to_tsquery('simple', ${p(match)}) OR p.id = ${id})` : `p.id = ${id}`);
    }
    // members: read from the (small) table of members, not by testing every petition
    where.push(members ? `p.id IN (SELECT m.petition_id FROM joint_members m WHERE m.state = 'member')` : `NOT EXISTS (SELECT 1 FROM joint_members m WHERE m.petition_id = p.id AND m.state = 'member')`);
    if (stored && 'before' in stored) where.push(`p.stored_at < ${p(stored.before)}`);
    // stored after the overdue bound, received before it: read from the index of receipt, which holds
    // both dates. Written as an expression, the bound cannot lead the planner to
    // petitions_stored, whose walk read every petition not yet overdue (1 s at 1 000 000)
    if (stored && 'from' in stored) where.push(`(p.stored_at || '') >= ${p(stored.from)}`);
    if (open) {
      where.push(open.overdue ? `${AT} < ${p(open.hi)} AND NOT ${CLOSED_NOW}` : `(${AT} >= ${p(open.lo)} OR ${CLOSED_NOW})`);
    }
    if (range) where.push(`${AT} >= ${p(range.from)} AND ${AT} < ${p(range.before)}`);
    return where;
  }

  datedRows(f: DatedFilter, w: DatedWindow, members = false): Promise<DatedRow[]> {
    const { values, p } = params();
    if (members) return this.all(`SELECT p.id, p.received_at, p.stored_at, p.seq::int AS seq FROM petitions p WHERE ${this.datedWhere(f, true, undefined, w.range, p).join(' AND ')}`, values);
    const where = this.datedWhere(f, false, w.open, w.range, p, w.stored);
    // (for those stored after the overdue bound, as an expression too: ordered by petitions_stored,
    // the planner walked it from the newest for the LIMIT)
    const key = w.order === 'received' ? AT : w.stored && 'from' in w.stored ? `(p.stored_at || '')` : 'p.stored_at';
    if (w.after) where.push(w.order === 'received' ? `(${key}, p.seq) > (${p(w.after.key)}, ${p(w.after.seq)})` : `(${key}, p.seq) < (${p(w.after.key)}, ${p(w.after.seq)})`);
    const order = w.order === 'received' ? `${key}, p.seq` : `${key} DESC, p.seq DESC`;
    const limit = Number.isFinite(w.limit) ? `LIMIT ${p(w.limit)}` : '';
    const columns = `p.id, p.received_at, p.stored_at, p.seq::int AS seq${w.open || w.withClosed ? `, ${CLOSED_NOW} AS closed` : ''}`;
    return this.all(`SELECT ${columns} FROM petitions p WHERE ${where.join(' AND ')} ORDER BY ${order} ${limit}`, values);
  }

  async countDated(f: DatedFilter, open: OpenFilter | undefined, limit: number): Promise<number> {
    const { values, p } = params();
    const where = this.datedWhere(f, false, open, undefined, p);
    return (await this.q.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM petitions p WHERE ${where.join(' AND ')} LIMIT ${p(limit)}) x`, values)).rows[0]!.n;
  }

  async summaries(ids: readonly string[]): Promise<PetitionSummary[]> {
    const rows = await this.all<SummaryRow>(
      `SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email, substr(p.text, 1, 400) AS excerpt, p.score, p.level, p.track,
              c.id AS campaign_id, c.size AS campaign_size
       FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq WHERE p.id = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [summary(r)] : [];
    });
  }

  rows(from?: string, to?: string): Promise<TrackRow[]> {
    return this.all(
      `SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email, p.text, p.level, p.track, c.id AS campaign_id
       FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq
       WHERE ($1::text IS NULL OR COALESCE(p.received_at, p.stored_at) >= $1) AND ($2::text IS NULL OR COALESCE(p.received_at, p.stored_at) < $2)
       ORDER BY COALESCE(p.received_at, p.stored_at), p.seq`,
      [from ?? null, to ?? null],
    );
  }

  /** See TrackStore.levelCounts: counted in the database. */
  levelCounts(from: string, before: string): Promise<LevelCount[]> {
    return this.all(
      `SELECT CASE WHEN ${AT} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:.*Z$' THEN substr(${AT}, 1, 13) || ':00:00Z' ELSE ${AT} END AS at, level, COUNT(*)::int AS n
       FROM petitions p WHERE ${AT} >= $1 AND ${AT} < $2 GROUP BY 1, 2`,
      [from, before],
    );
  }

  /** See TrackStore.receiptLag: the index petitions_receipt_lag read backwards, a NULL (a date that does not read) first. */
  async receiptLag(): Promise<number | null> {
    const top = await this.all<{ days: number | null }>('SELECT sito_receipt_lag(stored_at, received_at) AS days FROM petitions WHERE received_at IS NOT NULL ORDER BY 1 DESC NULLS FIRST LIMIT 1');
    if (!top.length) return 0;
    return top[0]!.days === null ? null : Math.max(0, top[0]!.days);
  }

  async campaignMemberDates(campaignIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await this.all<{ campaign_id: string; at: string }>(
      `SELECT c.id AS campaign_id, COALESCE(p.received_at, p.stored_at) AS at FROM petitions p JOIN campaigns c ON c.seq = p.campaign_seq
       WHERE c.id = ANY($1::text[]) ORDER BY at, p.seq`,
      [campaignIds],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.campaign_id);
      if (list) list.push(r.at);
      else out.set(r.campaign_id, [r.at]);
    }
    return out;
  }

  marksWithLevels(): Promise<Array<{ petition_id: string; label: 'mass' | 'regular'; level: ScoreResult['level']; at: string }>> {
    return this.all(
      `SELECT f.petition_id, f.label, p.level, f.at FROM feedback f JOIN petitions p ON p.id = f.petition_id
       WHERE f.seq = (SELECT MAX(seq) FROM feedback g WHERE g.petition_id = f.petition_id) ORDER BY f.seq`,
    );
  }
}
