import type { ScoreResult } from '../decision/result.js';
import type { Fingerprint } from '../signals/fingerprint/minhash.js';

/**
 * What an office's Sito keeps, and the interface every backend implements: the embedded SQLite
 * store (src/storage/sqlite-store.ts, the default) and a PostgreSQL one (SITO_DATABASE_URL).
 * Every method is asynchronous; test/store-contract.ts is the definition of the behaviour both
 * backends share.
 */

export interface NewPetition {
  id: string;
  receivedAt: string | null;
  storedAt: string;
  subject: string | null;
  senderName: string | null;
  senderEmail: string | null;
  text: string;
  result: ScoreResult;
  fingerprint: Fingerprint;
  embedding?: { model: string; vector: Float32Array } | null;
  /**
   * What full-text search indexes (`searchableText` of the text, subject and sender address), made
   * before the write transaction so that folding a long text does not hold the database's write
   * lock, for a store that indexes it as it inserts (`Store.indexesAtInsert`); the store makes it
   * when absent.
   */
  searchable?: string;
}

export interface StoredPetition {
  id: string;
  received_at: string | null;
  stored_at: string;
  subject: string | null;
  sender: { name: string | null; email: string | null };
  text: string;
  result: ScoreResult;
  campaign_id: string | null;
}

export interface PetitionSummary {
  id: string;
  received_at: string | null;
  stored_at: string;
  subject: string | null;
  sender: { name: string | null; email: string | null };
  excerpt: string;
  score: number;
  level: ScoreResult['level'];
  track: ScoreResult['track'];
  campaign: { id: string; size: number } | null;
  /** other offices that received a near-duplicate, when the clearinghouse said so at scoring */
  elsewhere?: number;
}

export interface Campaign {
  id: string;
  source: 'local' | 'known';
  label: 'mass' | 'regular' | null;
  family: string | null;
  sender: string | null;
  representative_petition: string | null;
  representative_text: string | null;
  size: number;
  distinct_senders: number;
  first_seen: string | null;
  last_seen: string | null;
}

export interface NewKnownCampaign {
  id: string;
  label: 'mass' | 'regular' | null;
  family: string | null;
  sender: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
  size: number;
  representativeText: string | null;
  fingerprint: Fingerprint;
}

/** A near-duplicate candidate found through the LSH index. */
export interface Candidate {
  kind: 'petition' | 'campaign';
  /** petition id or campaign id */
  id: string;
  /** the campaign the candidate belongs to (a campaign candidate: itself) */
  campaign: Campaign | null;
  fingerprint: Fingerprint;
}

export interface PetitionFilter {
  level?: ScoreResult['level'] | undefined;
  track?: ScoreResult['track'] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  campaign?: string | undefined;
  limit: number;
  offset: number;
  /** the total is counted up to this many matches (default 10 000, listing-total.ts); past it, `total_exact` is false */
  totalCap?: number | undefined;
}

export type DatedFilter = Omit<PetitionFilter, 'limit' | 'offset' | 'totalCap'>;

/**
 * A count of petitions by level and date of receipt (levelCounts): `at` is the start of a UTC hour
 * ('YYYY-MM-DDTHH:00:00Z') for dates written in UTC, else the date as written. A UTC hour lies
 * within one day in Poland (its offsets are whole hours), so each count falls in one Polish day.
 */
export interface LevelCount {
  at: string;
  level: ScoreResult['level'];
  n: number;
}

export interface DatedRow {
  id: string;
  received_at: string | null;
  stored_at: string;
  seq: number;
  /** with an `OpenFilter` (not for members): whether its latest status closes it */
  closed?: boolean | number;
}

/**
 * A superset, in SQL, of the petitions that are (or are not) overdue, for a petition outside a
 * petycja wielokrotna: `COALESCE(received_at, stored_at)` compared as text with `lo`/`hi` (dates
 * 'YYYY-MM-DD'), and whether its latest status closes it. Overdue: received before `hi` and not
 * closed; not overdue: received on or after `lo`, or closed. Exact outside [lo, hi); the caller
 * checks the rows within.
 */
export interface OpenFilter {
  overdue: boolean;
  lo: string;
  hi: string;
}

export interface DatedWindow {
  /** 'received': by COALESCE(received_at, stored_at) as text, then seq, ascending; 'newest': stored_at, then seq, descending */
  order: 'received' | 'newest';
  /** only rows after this one in `order` (its sort key and seq) */
  after?: { key: string; seq: number } | undefined;
  open?: OpenFilter | undefined;
  /** only rows whose COALESCE(received_at, stored_at) is in [from, before) as text */
  range?: { from: string; before: string } | undefined;
  /**
   * only rows stored before `before`, or on or after `from` (stored_at as text). With `open.overdue`
   * and the order 'newest', `before` walks the stored index from that point instead of from the
   * newest petition, and `from` reads the index of receipt (in `range`; see listByDeadline).
   */
  stored?: { before: string } | { from: string } | undefined;
  /** read `closed` for each row (as with `open`), without filtering by it */
  withClosed?: boolean;
  limit: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** A page of stored petitions: its total is exact up to a cap (listing-total.ts), then the cap with `total_exact` false. */
export interface PetitionPage extends Page<PetitionSummary> {
  total_exact: boolean;
}

export interface ModelRecord {
  version: string;
  source: 'shipped' | 'trained';
  path: string;
  created_at: string;
  card: unknown;
}

export type UserRole = 'clerk' | 'analyst';

export interface User {
  login: string;
  role: UserRole;
}

export interface Session {
  login: string;
  role: UserRole;
  csrf: string;
  expires_at: string;
}

export interface Feedback {
  petition_id: string;
  label: 'mass' | 'regular';
  login: string;
  at: string;
}

/** The original document a stored petition arrived as (migration 30). */
export interface StoredDocument {
  petition_id: string;
  content_type: string;
  filename: string | null;
  size: number;
  /** null when the original was over the store limit (only its parts were kept) */
  bytes: Uint8Array | null;
  parts: import('../ingest/documents/types.js').DocumentPart[];
  skipped: import('../ingest/documents/types.js').Skipped[];
  stored_at: string;
}

/** Something done to petitions, models or accounts, and by whom: the audit trail analysts read. */
export type AuditAction =
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_in_throttled'
  | 'sign_out'
  | 'mark'
  | 'train'
  | 'activate'
  | 'rollback'
  | 'delete'
  | 'purge'
  | 'export'
  | 'backup'
  | 'user_add'
  | 'user_disable';

export interface AuditEntry {
  at: string;
  /** a login, "key:<role>:<digest prefix>", or "cli:<system user>" */
  actor: string;
  /** the client address (HTTP), null from the command line */
  address: string | null;
  action: AuditAction;
  /** a petition id, model version, login… */
  target: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  since?: string | undefined;
  action?: AuditAction | undefined;
  limit: number;
  /** entries with seq below this (paging backwards) */
  before?: number | undefined;
}

export type ThrottleScope = 'account' | 'address';

// ── the mass track's tables (migrations 40–42) ─────────────────────────────────

export interface CampaignName {
  campaign_id: string;
  name: string;
  words: string[];
  source: 'auto' | 'clerk';
  login: string | null;
  updated_at: string;
}

export interface Joint {
  seq: number;
  campaign_id: string;
  subject: string;
  ordered_by: string;
  ordered_at: string;
  announced_on: string;
  waiting_end: string;
  deadline: string;
  outcome: string | null;
  outcome_by: string | null;
  outcome_at: string | null;
}

export interface JointMember {
  petition_id: string;
  state: 'member' | 'rejected';
  decided_by: string;
  decided_at: string;
}

export interface StatusEntry {
  petition_id: string;
  status: string;
  note: string | null;
  login: string;
  at: string;
}

/** A petition as the register and the deadlines need it. */
export interface TrackRow {
  id: string;
  received_at: string | null;
  stored_at: string;
  subject: string | null;
  sender_name: string | null;
  sender_email: string | null;
  text: string;
  level: ScoreResult['level'];
  track: ScoreResult['track'];
  campaign_id: string | null;
}

/**
 * The mass track under the Petitions Act: campaign names, petycja wielokrotna (joint
 * consideration) and its members, announcement templates, each petition's progress, and the
 * petition reads the register and the deadlines need. Reached as `store.track` (inside a write
 * transaction: `tx.track`).
 */
export interface TrackStore {
  /** Stored names of these campaigns (ids without a name are absent). */
  campaignNames(ids: readonly string[]): Promise<Map<string, CampaignName>>;
  /** Sets a campaign's name; an automatic name (`source: 'auto'`) never replaces a clerk's. */
  setCampaignName(id: string, name: string, words: string[], source: 'auto' | 'clerk', login: string | null): Promise<void>;
  /** Texts the characteristic words are weighed against: the newest `limit` petitions (text cut to 4000 characters, with their campaign id), then the newest `limit` campaigns' representative texts. */
  corpusTexts(limit: number): Promise<Array<{ text: string; campaign: string | null }>>;
  /** Those of these campaigns that have no stored name, with their representative text and family. */
  unnamedCampaigns(ids: readonly string[]): Promise<Array<{ id: string; text: string | null; family: string | null }>>;

  /** Creates a petycja wielokrotna; returns its seq (increasing). */
  createJoint(j: Omit<Joint, 'seq' | 'outcome' | 'outcome_by' | 'outcome_at'>): Promise<number>;
  joint(seq: number): Promise<Joint | null>;
  /** The campaign's newest petycja wielokrotna. */
  jointOfCampaign(campaignId: string): Promise<Joint | null>;
  /** Every petycja wielokrotna, newest first. */
  joints(): Promise<Joint[]>;
  setOutcome(seq: number, outcome: string, login: string): Promise<void>;
  /** Decisions on petitions of one petycja wielokrotna, by petition id. */
  jointMembers(seq: number): Promise<Map<string, JointMember>>;
  /** Records (or changes) the decision on one petition of a petycja wielokrotna. */
  setMember(seq: number, petitionId: string, state: JointMember['state'], login: string): Promise<void>;
  /** The petycja wielokrotna each of these petitions is a member of (state 'member'; the newest when several). */
  jointsOfPetitions(ids: readonly string[]): Promise<Map<string, Joint>>;
  /** Every petition in a petycja wielokrotna, with its joint (the newest when several). */
  allJointMembers(): Promise<Map<string, Joint>>;

  /** Announcement templates edited by clerks, by kind. */
  templates(): Promise<Map<string, { body: string; updated_by: string; updated_at: string }>>;
  setTemplate(kind: string, body: string, login: string): Promise<void>;

  /** Appends a progress entry (the latest one is the petition's status). */
  addStatus(s: StatusEntry): Promise<void>;
  /** The latest progress entry of each of these petitions. */
  latestStatus(ids: readonly string[]): Promise<Map<string, StatusEntry>>;
  /** Every petition's latest progress entry. */
  allLatestStatus(): Promise<Map<string, StatusEntry>>;

  /**
   * A bounded window of petitions matching the inbox filters (`q` as in `listPetitions`: the
   * full-text words, or the exact id), for listings by deadline: id, dates and insertion order
   * (`seq`). `members` chooses petitions that are members of a petycja wielokrotna (few; all of
   * them, unordered, `w` ignored but for `range`) or those that are not (ordered, at most `w.limit`).
   * See `DatedWindow`.
   */
  datedRows(f: DatedFilter, w: DatedWindow, members?: boolean): Promise<DatedRow[]>;
  /** How many petitions that are not members of a petycja wielokrotna `datedRows` would list without a limit, counting at most `limit`. */
  countDated(f: DatedFilter, open: OpenFilter | undefined, limit: number): Promise<number>;
  /** Summaries of these petitions in the order of `ids` (unknown ids left out; no `elsewhere`). */
  summaries(ids: readonly string[]): Promise<PetitionSummary[]>;
  /** Petitions received (or stored, when received_at is null) in [from, to) — ISO instants or dates, compared as text — oldest first, ties in storage order. */
  rows(from?: string, to?: string): Promise<TrackRow[]>;
  /**
   * How many petitions of each level were received (or stored) in [from, before), compared as
   * text, counted in the database (the start page): per hour of an instant written in UTC
   * ('…Z', `at` is the hour's start), else per date as written.
   */
  levelCounts(from: string, before: string): Promise<LevelCount[]>;
  /**
   * The most days any petition was stored after the day it was received (the dates as written; 0
   * when none was received before it was stored), or null when a date of receipt does not read as
   * a date, so no such bound is known. From an index: a look-up, whatever the number of petitions.
   */
  receiptLag(): Promise<number | null>;
  /** Every member's date (received_at, else stored_at) of these campaigns, ascending. */
  campaignMemberDates(campaignIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Each marked petition's latest mark with the level Sito gave it. */
  marksWithLevels(): Promise<Array<{ petition_id: string; label: 'mass' | 'regular'; level: ScoreResult['level']; at: string }>>;
}

// ── the clearinghouse's outbox in the office store (migration 20) ─────────────

/** One queued delivery to the clearinghouse. */
export interface OutboxRow {
  /** queue order (increasing) */
  seq: number;
  kind: 'report' | 'mark';
  report_id: string;
  /** JSON: the wire report (kind 'report') or {mark} (kind 'mark') */
  payload: string;
}

/**
 * What waits to be sent to the clearinghouse, kept in the office store so a report is queued in
 * the same transaction that stores its petition (`tx.outbox` inside `writeTransaction`), and the
 * report id each stored petition was reported under. Reached as `store.outbox`.
 */
export interface OutboxStore {
  /** Remembers the report id a petition was reported under; a petition already remembered keeps its first id. */
  rememberReport(petitionId: string, reportId: string): Promise<void>;
  /** The report id a petition was reported under, or null when it never was. */
  reportIdOf(petitionId: string): Promise<string | null>;
  /** Appends a row to the queue (attempts 0, no error). */
  enqueue(kind: OutboxRow['kind'], reportId: string, payload: string, createdAt: string): Promise<void>;
  /** Rows waiting. */
  pending(): Promise<number>;
  /** The first `limit` rows waiting, oldest first. */
  next(limit: number): Promise<OutboxRow[]>;
  /** Removes delivered rows. */
  remove(seqs: readonly number[]): Promise<void>;
  /** Counts a failed attempt on these rows and keeps the problem. */
  failed(seqs: readonly number[], problem: string): Promise<void>;
  /**
   * Moves rows the clearinghouse refused for good out of the queue into the refused rows
   * (migration 43), with the HTTP status it answered and its problem, in one step: a row is in
   * one place or the other, never both, never neither. Seqs not waiting are ignored.
   */
  refuse(seqs: readonly number[], problem: string, httpStatus: number, refusedAt: string): Promise<void>;
  /** Rows refused for good. */
  refused(): Promise<number>;
  /** The refused rows, oldest first, at most `limit`. */
  listRefused(limit: number): Promise<RefusedRow[]>;
}

/** A report or mark the clearinghouse refused for good (kept for the operator, never sent again). */
export interface RefusedRow extends OutboxRow {
  /** when it was queued */
  created_at: string;
  refused_at: string;
  /** what the clearinghouse answered: a 4xx, or 200 when it listed the report as rejected */
  http_status: number;
  /** why, in the clearinghouse's words */
  problem: string;
}

// ── the office store ───────────────────────────────────────────────────────────

/**
 * The office's store. Every method is atomic on its own (one statement, or one transaction when it
 * writes several rows). Several steps that must be seen together, or decided on a consistent view
 * (the campaign decision: look up, create, insert), go through `writeTransaction`.
 */
export interface Store {
  /** The backend, as /health names it (`storage.kind`). */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Whether `insertPetition` writes the petition's words into the full-text index itself (PostgreSQL),
   * so that `NewPetition.searchable` is worth making before the write transaction. SQLite indexes
   * them later, in batches (search-index.ts), and makes the text then.
   */
  readonly indexesAtInsert: boolean;
  /** Where the data is, for messages ("database /data/sito.db"); never a password. */
  readonly where: string;
  /** The mass track's tables, in the same database. */
  readonly track: TrackStore;
  /** The clearinghouse's outbox, in the same database. */
  readonly outbox: OutboxStore;

  /**
   * Runs `fn` as one write transaction and returns its result: committed when `fn` resolves,
   * rolled back when it rejects (the rejection is passed on). Write transactions are serialised
   * with every other writer of the database, in this process and in others (SQLite: an in-process
   * lock, then BEGIN IMMEDIATE; PostgreSQL: one pooled client and an advisory lock), so a decision
   * made on what `fn` read holds until it commits.
   *
   * `fn` receives the store bound to the transaction: everything inside it must go through `tx`
   * (and `tx.track`, `tx.outbox`). Calling the outer store from inside `fn` is an error (SQLite
   * throws rather than wait for itself). `fn` must not wait on anything slow (network, a model):
   * the lock is held until it ends. `tx.writeTransaction` nests as a savepoint: rolled back alone
   * when its `fn` rejects.
   */
  writeTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  // ── petitions and campaigns ──
  /** Near-duplicate candidates sharing LSH band keys with `bandKeys`, the most shared first, at most `limit`. */
  candidates(bandKeys: number[], limit: number): Promise<Candidate[]>;
  hasPetition(id: string): Promise<boolean>;
  /**
   * Inserts a petition (and indexes it for search); joins it to `campaignId` when given (the
   * campaign's size, senders and first/last seen grow); indexes its band keys when asked. Throws
   * when the campaign does not exist or the id is already stored.
   */
  insertPetition(p: NewPetition, campaignId: string | null, bandKeys: number[] | null): Promise<void>;
  /** Creates a local campaign around an existing petition (its representative, the first member: size 1). */
  createCampaign(id: string, representativePetitionId: string): Promise<Campaign>;
  /** Adds or updates a known campaign from the library (its band keys replace the old ones); throws if `id` is a local campaign. */
  upsertKnownCampaign(c: NewKnownCampaign, bandKeys: number[]): Promise<void>;
  campaign(id: string): Promise<Campaign | null>;
  getPetition(id: string): Promise<StoredPetition | null>;
  /**
   * Petitions newest first (stored_at, then storage order). `q`: every word of it (folded: lower
   * case, no diacritics, at most 16 words) as a word prefix in the text, subject or sender address —
   * or the exact id. `from`/`to` compare received_at (else stored_at) as text, both inclusive.
   * Dates and instants are ISO strings compared as text (byte order) throughout the store: a bare
   * day as `to` ends before that day's instants.
   */
  listPetitions(filter: PetitionFilter): Promise<PetitionPage>;
  /** Largest first, or last seen first (campaigns never seen — a known one without dates — last); ties in the order campaigns were made. */
  listCampaigns(order: 'size' | 'last_seen', limit: number, offset: number): Promise<Page<Campaign>>;
  /** A campaign's petitions, as `listPetitions({ campaign: id })`. */
  campaignMembers(id: string, limit: number, offset: number): Promise<PetitionPage>;
  /** Keeps a petition's original document: the first one sent for its id, and only when the stored petition's text is this document's. */
  putDocument(d: { petitionId: string; text: string; contentType: string; filename: string | null; bytes: Uint8Array | null; document: Pick<StoredDocument, 'parts' | 'skipped'> }): Promise<void>;
  /** A petition's original document; `withBytes: false` leaves the file itself out (`bytes` is then empty when kept, null when not). */
  document(petitionId: string, withBytes: boolean): Promise<StoredDocument | null>;
  /** Stored vectors of one embedding model, with each petition's level, oldest first (only the `newest` N when given). */
  embeddings(model: string, newest?: number): Promise<Array<{ id: string; vector: Float32Array; level: ScoreResult['level'] }>>;
  /**
   * Erases petitions' text and personal data (RODO): text, subject, sender, the evidence quoted in
   * the stored verdict, the embedding, a campaign's copy of the text, the original document, notes
   * on its progress, its search index entry. The row, its verdict's score, its fingerprint and its
   * campaign stay (counts and near-duplicate detection go on). `before`: received_at (else
   * stored_at) earlier than it. Returns the ids erased now (already erased ones are skipped).
   */
  erasePetitions(which: { id: string } | { before: string }, at: string): Promise<string[]>;

  // ── models ──
  /** Registers a model version; registering it again updates its path and card. */
  registerModel(m: ModelRecord): Promise<void>;
  /** Registered models, newest created first. */
  models(): Promise<ModelRecord[]>;
  model(version: string): Promise<ModelRecord | null>;
  /** Records that `version` (registered) became the active model; the newest activation is the active one. */
  recordActivation(version: string): Promise<void>;
  /** Activated versions, newest first. */
  activations(limit: number): Promise<Array<{ version: string; activated_at: string }>>;

  // ── accounts ──
  /** Adds an account, or changes its role and password and enables it again; either ends its sessions. */
  addUser(login: string, role: UserRole, passwordHash: string): Promise<void>;
  /** `disabled`: the account was disabled (`sito user disable`); it cannot sign in. */
  userWithHash(login: string): Promise<(User & { password_hash: string; disabled: boolean }) | null>;
  /** Disables an account and ends its sessions; false when there is no such login. */
  disableUser(login: string, at: string): Promise<boolean>;
  /** Starts a session (expired sessions of everyone are dropped on the way). */
  createSession(tokenHash: string, login: string, csrf: string, expiresAt: string): Promise<void>;
  /** A session not expired at `now` of an enabled account, else null. */
  session(tokenHash: string, now: string): Promise<Session | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Failed sign-ins of one account or address in its current window. */
  loginFailures(scope: ThrottleScope, key: string): Promise<{ window_start: string; failures: number } | null>;
  setLoginFailures(scope: ThrottleScope, key: string, windowStart: string, failures: number): Promise<void>;
  clearLoginFailures(scope: ThrottleScope, key: string): Promise<void>;

  // ── clerks' marks ──
  /** Records a clerk's mark (throws when the petition does not exist); the latest one counts. */
  addFeedback(f: Feedback): Promise<void>;
  /** The latest feedback on each of these petitions. */
  latestFeedback(petitionIds: readonly string[]): Promise<Map<string, Feedback>>;
  /** Every not erased petition's latest feedback with its text, in the order the marks were made, for a training CSV. */
  feedbackForExport(): Promise<Array<Feedback & { text: string; subject: string | null; sender_email: string | null; received_at: string | null }>>;

  // ── audit trail ──
  recordAudit(e: AuditEntry): Promise<void>;
  /** Audit entries, newest first (`seq` increasing with recording). */
  auditTrail(f: AuditFilter): Promise<Array<AuditEntry & { seq: number }>>;

  // ── the store itself ──
  /** A random secret kept in the database (the same for every worker and instance), made on first use. */
  secret(name: string): Promise<string>;
  /** A consistent copy of the database into `file` while it is in use (a backend that cannot says how to back it up instead). */
  backup(file: string): Promise<void>;
  /** Petitions stored and the database's size in bytes (for /metrics). */
  stats(): Promise<{ petitions: number; bytes: number }>;
  close(): Promise<void>;
}

/** One migration of a store's schema, applied or pending. */
export interface MigrationState {
  version: number;
  name: string;
  /** when it was applied; null while pending */
  applied_at: string | null;
}

/**
 * `sito migrate`: a backend's schema versions, read without changing anything (`status`), and
 * applied (`up`). Opening a store applies pending migrations too; this lets operators see and do
 * it first.
 */
export interface Migrator {
  readonly kind: 'sqlite' | 'postgres';
  readonly where: string;
  /** Every known migration in the order they apply, then any applied one this Sito does not know (a newer Sito's). */
  status(): Promise<MigrationState[]>;
  /** Applies the pending migrations in order; returns those applied now. */
  up(): Promise<MigrationState[]>;
  close(): Promise<void>;
}
