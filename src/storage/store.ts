import type { ScoreResult } from '../decision/result.js';
import type { Fingerprint } from '../signals/fingerprint/minhash.js';

/** What Sito keeps. The SQLite store implements it; a PostgreSQL one can, on the same schema. */

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
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
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

export interface Store {
  /** Runs `fn` as one write transaction, serialised with every other writer of the database. */
  writeTransaction<T>(fn: () => T): T;
  candidates(bandKeys: number[], limit: number): Candidate[];
  hasPetition(id: string): boolean;
  /** Inserts a petition; joins it to `campaignId` when given; indexes its band keys when asked. */
  insertPetition(p: NewPetition, campaignId: string | null, bandKeys: number[] | null): void;
  /** Creates a local campaign around an existing petition (its representative). */
  createCampaign(id: string, representativePetitionId: string): Campaign;
  upsertKnownCampaign(c: NewKnownCampaign, bandKeys: number[]): void;
  campaign(id: string): Campaign | null;
  getPetition(id: string): StoredPetition | null;
  listPetitions(filter: PetitionFilter): Page<PetitionSummary>;
  listCampaigns(order: 'size' | 'last_seen', limit: number, offset: number): Page<Campaign>;
  campaignMembers(id: string, limit: number, offset: number): Page<PetitionSummary>;
  registerModel(m: ModelRecord): void;
  models(): ModelRecord[];
  model(version: string): ModelRecord | null;
  recordActivation(version: string): void;
  /** Activated versions, newest first. */
  activations(limit: number): Array<{ version: string; activated_at: string }>;
  addUser(login: string, role: UserRole, passwordHash: string): void;
  /** `disabled`: the account was disabled (`sito user disable`); it cannot sign in. */
  userWithHash(login: string): (User & { password_hash: string; disabled: boolean }) | null;
  /** Disables an account and ends its sessions; false when there is no such login. */
  disableUser(login: string, at: string): boolean;
  createSession(tokenHash: string, login: string, csrf: string, expiresAt: string): void;
  session(tokenHash: string, now: string): Session | null;
  deleteSession(tokenHash: string): void;
  addFeedback(f: Feedback): void;
  /** The latest feedback on each of these petitions. */
  latestFeedback(petitionIds: readonly string[]): Map<string, Feedback>;
  /** Every petition's latest feedback with its text, for a training CSV. */
  feedbackForExport(): Array<Feedback & { text: string; subject: string | null; sender_email: string | null; received_at: string | null }>;
  /** Stored vectors of one embedding model, with each petition's level. */
  embeddings(model: string): Array<{ id: string; vector: Float32Array; level: ScoreResult['level'] }>;
  /** Keeps a petition's original document: the first one sent for its id, and only when the stored petition's text is this document's. */
  putDocument?(d: { petitionId: string; text: string; contentType: string; filename: string | null; bytes: Uint8Array | null; document: Pick<StoredDocument, 'parts' | 'skipped'> }): void;
  /** A petition's original document; `withBytes: false` leaves the file itself out (`bytes` is then empty when kept, null when not). */
  document?(petitionId: string, withBytes: boolean): StoredDocument | null;
  recordAudit(e: AuditEntry): void;
  /** Audit entries, newest first. */
  auditTrail(f: AuditFilter): Array<AuditEntry & { seq: number }>;
  /** Failed sign-ins of one account or address in its current window. */
  loginFailures(scope: ThrottleScope, key: string): { window_start: string; failures: number } | null;
  setLoginFailures(scope: ThrottleScope, key: string, windowStart: string, failures: number): void;
  clearLoginFailures(scope: ThrottleScope, key: string): void;
  /** A random secret kept in the database (the same for every worker), made on first use. */
  secret(name: string): string;
  /**
   * Erases petitions' text and personal data (RODO): text, subject, sender, the evidence quoted in
   * the stored verdict, the embedding, a campaign's copy of the text. The row, its verdict's score,
   * its fingerprint and its campaign stay (counts and near-duplicate detection go on). Returns the
   * ids erased now (already erased ones are skipped).
   */
  erasePetitions(which: { id: string } | { before: string }, at: string): string[];
  /** A consistent copy of the database into `file` while it is in use. */
  backup(file: string): Promise<void>;
  /** Petitions stored and the database's size in bytes (for /metrics). */
  stats(): { petitions: number; bytes: number };
  /** Stored vectors of one embedding model, with each petition's level, oldest first (only the `newest` N when given). */
  embeddings(model: string, newest?: number): Array<{ id: string; vector: Float32Array; level: ScoreResult['level'] }>;
  close(): void;
}
