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
  userWithHash(login: string): (User & { password_hash: string }) | null;
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
  close(): void;
}
