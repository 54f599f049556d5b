import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ScoreResult } from '../decision/result.js';
import { SCHEME, signatureFromBuffer, signatureToBuffer } from '../signals/fingerprint/minhash.js';
import { applyMigrations, MIGRATIONS } from './migrations.js';
import { foldText } from '../normalise/fold.js';
import { preparedStatements } from './prepared.js';
import { searchableText } from './search-text.js';
import { INDEX_BATCH, INDEX_EVERY_MS, indexWaiting, indexWaitingIn, waitingForIndex } from './search-index.js';
import { AsyncLock } from './async-lock.js';
import { asyncTrack, SqliteTrackSync } from './track-store.js';
import { asyncOutbox, SqliteOutboxSync } from './outbox-store.js';
import type {
  AuditEntry,
  AuditFilter,
  ThrottleScope,
  Campaign,
  Candidate,
  Feedback,
  ModelRecord,
  Session,
  User,
  UserRole,
  NewKnownCampaign,
  NewPetition,
  Page,
  PetitionFilter,
  PetitionPage,
  PetitionSummary,
  Migrator,
  MigrationState,
  OutboxStore,
  Store,
  StoredDocument,
  StoredPetition,
  TrackStore,
} from './store.js';
import { header, summary, type SummaryRow } from './petition-rows.js';
import { isBusy, retryWhileBusy } from './sqlite-busy.js';
import { cappedTotal, countLimit, totalCap } from './listing-total.js';

/** How long a write waits for another process's write lock before "database is locked". */
const BUSY_TIMEOUT_MS = 5000;

export class StoreError extends Error {}

interface CampaignRow extends Campaign {
  seq: number;
}

const CAMPAIGN_COLUMNS =
  'seq, id, source, label, family, sender, representative_petition, representative_text, size, distinct_senders, first_seen, last_seen';

const SUMMARY_SELECT = `
  SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email,
         substr(p.text, 1, 400) AS excerpt, p.score, p.level, p.track, c.id AS campaign_id, c.size AS campaign_size,
         json_extract(p.result, '$.clearinghouse.offices') AS elsewhere
  FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq`;

const publicCampaign = ({ seq: _seq, ...c }: CampaignRow): Campaign => c;

/**
 * A search box's words as an FTS5 query: each folded word (at most 16) as a prefix, all required.
 * Null when the query has no word to look for.
 */
export function searchQuery(q: string): string | null {
  const words = foldText(q).folded.match(/[a-z0-9]+/g)?.slice(0, 16) ?? [];
  return words.length ? words.map((w) => `"${w}"*`).join(' ') : null;
}

/**
 * A band key shared by more petitions than this is a common one: phrases every petition uses
 * ("wnoszę o", "na podstawie art."). Petitions sharing it were verified as different texts (a
 * campaign indexes only its first members), so it says little, and reading all its rows made every
 * look-up grow with the store (8 900 rows read for one petition at 20 000 stored). Look-ups read
 * its newest rows only.
 */
export const COMMON_KEY_REFS = 100;

/**
 * The embedded store: one SQLite file (WAL) under SITO_DATA_DIR. Every write path runs in a
 * transaction, so a crash mid-write leaves the database as it was before that petition.
 */
export class SqliteStoreSync {
  readonly path: string;
  private readonly db: Database.Database;
  /** the mass track's tables (synchronous) */
  readonly track: SqliteTrackSync;
  /** the clearinghouse's outbox (synchronous) */
  readonly outbox: SqliteOutboxSync;

  static open(dataDir: string): SqliteStoreSync {
    const dir = resolve(dataDir);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new StoreError(`data folder ${dir} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set SITO_DATA_DIR to a writable folder`);
    }
    const path = join(dir, 'sito.db');
    try {
      accessSync(dir, constants.W_OK);
      if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
    } catch {
      throw new StoreError(`data folder ${dir} or its database is not writable; Sito needs to write there (set SITO_DATA_DIR to a writable folder)`);
    }
    return new SqliteStoreSync(path);
  }

  private constructor(path: string) {
    this.path = path;
    try {
      this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      retryWhileBusy(() => {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        this.db.pragma('foreign_keys = ON');
        // erased text (RODO) is overwritten in the file, not left in free pages
        this.db.pragma('secure_delete = ON');
        this.migrate();
        this.checkScheme();
        this.fillSearchIndex();
      });
      this.track = new SqliteTrackSync(this.db);
      this.outbox = new SqliteOutboxSync(this.db);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      const msg = (e as Error).message;
      if (/not a database|malformed|corrupt/i.test(msg)) {
        throw new StoreError(`database ${path} is damaged or not a Sito database (${msg}); move it aside and restore a backup, or start with an empty SITO_DATA_DIR`);
      }
      if (/readonly|read-only|unable to open/i.test(msg)) {
        throw new StoreError(`database ${path} cannot be opened for writing (${msg}); check the permissions of SITO_DATA_DIR`);
      }
      throw new StoreError(`database ${path}: ${msg}`);
    }
  }

  private migrate() {
    try {
      applyMigrations(this.db, 'schema_migrations', MIGRATIONS, `database ${this.path}`);
    } catch (e) {
      if (isBusy(e)) throw e;
      throw new StoreError((e as Error).message);
    }
  }


  /** Petitions stored before full-text search existed are indexed once, at the first open. */
  private fillSearchIndex() {
    if (this.db.prepare("SELECT 1 FROM meta WHERE key = 'fts_filled'").get()) return;
    const batch = this.db.prepare('SELECT seq, text, subject, sender_email FROM petitions WHERE seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT 1000');
    const ins = this.db.prepare('INSERT INTO petitions_fts (rowid, body) VALUES (?, ?)');
    this.db.transaction(() => {
      // another process opening the same database may have filled it meanwhile
      if (this.db.prepare("SELECT 1 FROM meta WHERE key = 'fts_filled'").get()) return;
      for (let after = 0; ; ) {
        const rows = batch.all(after) as Array<{ seq: number; text: string; subject: string | null; sender_email: string | null }>;
        if (!rows.length) break;
        for (const r of rows) ins.run(r.seq, searchableText(r.text, r.subject, r.sender_email));
        after = rows[rows.length - 1]!.seq;
      }
      // every petition is in the index now, those that waited for it too
      this.db.prepare('DELETE FROM fts_pending').run();
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('fts_filled', ?)").run(new Date().toISOString());
    }).immediate();
  }

  /** Fingerprints stored under another scheme cannot be compared with new ones: refuse, clearly. */
  private checkScheme() {
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('fingerprint_scheme', ?)").run(SCHEME);
    const stored = (this.db.prepare("SELECT value FROM meta WHERE key = 'fingerprint_scheme'").get() as { value: string }).value;
    if (stored !== SCHEME) {
      throw new StoreError(`database ${this.path} holds fingerprints of scheme ${stored}, this Sito computes ${SCHEME}; start with an empty SITO_DATA_DIR or re-import the petitions`);
    }
  }

  private sql(text: string): Database.Statement {
    this.prepared ??= preparedStatements(this.db);
    return this.prepared(text);
  }

  private prepared: ((text: string) => Database.Statement) | undefined;

  /** The open connection (what `SqliteStore` runs its transactions on). */
  get connection(): Database.Database {
    return this.db;
  }

  /**
   * BEGIN IMMEDIATE, COMMIT and ROLLBACK of a transaction run step by step (SqliteStore's, across
   * awaits). BEGIN IMMEDIATE goes without SQLite's busy wait: null when the transaction began, or
   * at once the "database is locked" error when another connection (another process) holds the
   * write lock. SQLite's own wait sleeps inside the call, and so blocks the whole process;
   * `SqliteStore.writeTransaction` waits between tries instead, while the process goes on with
   * other requests.
   */
  tryBegin(): Error | null {
    // prepared once, like every statement here (db.pragma prepares its statement on every call)
    this.sql('PRAGMA busy_timeout = 0').get();
    try {
      this.sql('BEGIN IMMEDIATE').run();
      return null;
    } catch (e) {
      if (isBusy(e)) return e as Error;
      throw e;
    } finally {
      this.sql(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`).get();
    }
  }

  commit(): void {
    this.sql('COMMIT').run();
  }

  rollback(): void {
    this.sql('ROLLBACK').run();
  }

  /** Runs `fn` as one write transaction (BEGIN IMMEDIATE: serialised with every other process writing the file). */
  writeTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private campaignRowBySeq(seq: number): CampaignRow | null {
    return (this.sql(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE seq = ?`).get(seq) as CampaignRow | undefined) ?? null;
  }

  private campaignRow(id: string): CampaignRow | null {
    return (this.sql(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?`).get(id) as CampaignRow | undefined) ?? null;
  }

  candidates(bandKeys: number[], limit: number): Candidate[] {
    const refs = this.lshHits(bandKeys).slice(0, limit);
    const out: Candidate[] = [];
    const petition = this.sql('SELECT id, campaign_seq, signature, shingles FROM petitions WHERE seq = ?');
    const campaign = this.sql(`SELECT ${CAMPAIGN_COLUMNS}, signature, shingles FROM campaigns WHERE seq = ?`);
    // a campaign's members are candidates together (up to INDEXED_PER_CAMPAIGN of them): its row is read once
    const rows = new Map<number, CampaignRow | null>();
    const campaignOf = (seq: number) => {
      let row = rows.get(seq);
      if (row === undefined) rows.set(seq, (row = this.campaignRowBySeq(seq)));
      return row;
    };
    for (const { ref } of refs) {
      if (ref > 0) {
        const p = petition.get(ref) as { id: string; campaign_seq: number | null; signature: Buffer; shingles: number } | undefined;
        if (!p) continue;
        const c = p.campaign_seq === null ? null : campaignOf(p.campaign_seq);
        out.push({ kind: 'petition', id: p.id, campaign: c && publicCampaign(c), fingerprint: { signature: signatureFromBuffer(p.signature), shingles: p.shingles } });
      } else {
        const c = campaign.get(-ref) as (CampaignRow & { signature: Buffer; shingles: number }) | undefined;
        if (!c) continue;
        const { signature, shingles, ...row } = c;
        out.push({ kind: 'campaign', id: c.id, campaign: publicCampaign(row), fingerprint: { signature: signatureFromBuffer(signature), shingles } });
      }
    }
    return out;
  }

  /**
   * Indexed petitions and campaigns sharing band keys with a signature, ranked by the bands they
   * share through uncommon keys, then by all bands shared, newest first. Reads at most
   * COMMON_KEY_REFS + 1 rows of a key (its newest); a common key's newest petitions count only
   * towards all bands shared, so they fill the places uncommon keys leave.
   */
  private lshHits(bandKeys: number[]): Array<{ ref: number; hits: number; uncommon: number }> {
    // every key's newest refs in one statement: a statement per key (85) cost more from JavaScript
    // than the reads themselves
    const newest = this.sql(
      `SELECT (SELECT json_group_array(ref ORDER BY ref DESC) FROM (SELECT ref FROM lsh WHERE key = k.value ORDER BY ref DESC LIMIT ${COMMON_KEY_REFS + 1}))
       FROM json_each(?) k ORDER BY k.key`,
    ).pluck();
    const perKey = newest.all(JSON.stringify(bandKeys)) as string[];
    const hits = new Map<number, { ref: number; hits: number; uncommon: number }>();
    for (const json of perKey) {
      const refs = JSON.parse(json) as number[];
      const common = refs.length > COMMON_KEY_REFS;
      for (let i = 0; i < Math.min(refs.length, COMMON_KEY_REFS); i++) {
        const ref = refs[i]!;
        const h = hits.get(ref) ?? { ref, hits: 0, uncommon: 0 };
        h.hits++;
        if (!common) h.uncommon++;
        hits.set(ref, h);
      }
    }
    return [...hits.values()].sort((a, b) => b.uncommon - a.uncommon || b.hits - a.hits || b.ref - a.ref);
  }

  hasPetition(id: string): boolean {
    return this.sql('SELECT 1 FROM petitions WHERE id = ?').get(id) !== undefined;
  }

  private indexKeys(ref: number, keys: number[]) {
    const ins = this.sql('INSERT OR IGNORE INTO lsh (key, ref) VALUES (?, ?)');
    for (const k of keys) ins.run(k, ref);
  }

  private touchCampaign(seq: number, sender: string | null, seenAt: string) {
    if (sender) {
      const added = this.sql('INSERT OR IGNORE INTO campaign_senders (campaign_seq, sender) VALUES (?, ?)').run(seq, sender.toLowerCase());
      if (added.changes > 0) this.sql('UPDATE campaigns SET distinct_senders = distinct_senders + 1 WHERE seq = ?').run(seq);
    }
    this
      .sql(
        `UPDATE campaigns SET size = size + 1,
           first_seen = CASE WHEN first_seen IS NULL OR first_seen > @at THEN @at ELSE first_seen END,
           last_seen = CASE WHEN last_seen IS NULL OR last_seen < @at THEN @at ELSE last_seen END
         WHERE seq = @seq`,
      )
      .run({ seq, at: seenAt });
  }

  insertPetition(p: NewPetition, campaignId: string | null, bandKeys: number[] | null): void {
    const campaign = campaignId === null ? null : this.campaignRow(campaignId);
    if (campaignId !== null && !campaign) throw new StoreError(`campaign ${campaignId} does not exist`);
    const info = this
      .sql(
        `INSERT INTO petitions (id, received_at, stored_at, subject, sender_name, sender_email, text, score, level, track,
                                model_version, result, campaign_seq, signature, shingles, embedding, embedding_model)
         VALUES (@id, @receivedAt, @storedAt, @subject, @senderName, @senderEmail, @text, @score, @level, @track,
                 @modelVersion, @result, @campaignSeq, @signature, @shingles, @embedding, @embeddingModel)`,
      )
      .run({
        id: p.id,
        receivedAt: p.receivedAt,
        storedAt: p.storedAt,
        subject: p.subject,
        senderName: p.senderName,
        senderEmail: p.senderEmail,
        text: p.text,
        score: p.result.score,
        level: p.result.level,
        track: p.result.track,
        modelVersion: p.result.model.version,
        result: JSON.stringify(p.result),
        campaignSeq: campaign?.seq ?? null,
        signature: signatureToBuffer(p.fingerprint.signature),
        shingles: p.fingerprint.shingles,
        embedding: p.embedding ? Buffer.from(p.embedding.vector.buffer, p.embedding.vector.byteOffset, p.embedding.vector.byteLength) : null,
        embeddingModel: p.embedding?.model ?? null,
      });
    const seq = Number(info.lastInsertRowid);
    // its words enter the full-text index later, with others (search-index.ts)
    this.sql('INSERT INTO fts_pending (seq) VALUES (?)').run(seq);
    if (bandKeys) this.indexKeys(seq, bandKeys);
    if (campaign) this.touchCampaign(campaign.seq, p.senderEmail ?? p.senderName, p.receivedAt ?? p.storedAt);
  }

  createCampaign(id: string, representativePetitionId: string): Campaign {
    const p = this
      .sql('SELECT seq, text, signature, shingles, sender_email, sender_name, received_at, stored_at FROM petitions WHERE id = ?')
      .get(representativePetitionId) as
      | { seq: number; text: string; signature: Buffer; shingles: number; sender_email: string | null; sender_name: string | null; received_at: string | null; stored_at: string }
      | undefined;
    if (!p) throw new StoreError(`petition ${representativePetitionId} does not exist`);
    const info = this
      .sql(
        `INSERT INTO campaigns (id, source, representative_petition, representative_text, signature, shingles, size, created_at)
         VALUES (?, 'local', ?, ?, ?, ?, 0, ?)`,
      )
      .run(id, representativePetitionId, p.text.slice(0, 4000), p.signature, p.shingles, new Date().toISOString());
    const seq = Number(info.lastInsertRowid);
    this.sql('UPDATE petitions SET campaign_seq = ? WHERE seq = ?').run(seq, p.seq);
    this.touchCampaign(seq, p.sender_email ?? p.sender_name, p.received_at ?? p.stored_at);
    return publicCampaign(this.campaignRowBySeq(seq)!);
  }

  upsertKnownCampaign(c: NewKnownCampaign, bandKeys: number[]): void {
    const existing = this.campaignRow(c.id);
    const params = {
      id: c.id,
      label: c.label,
      family: c.family,
      sender: c.sender,
      text: c.representativeText,
      signature: signatureToBuffer(c.fingerprint.signature),
      shingles: c.fingerprint.shingles,
      size: c.size,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      now: new Date().toISOString(),
    };
    if (existing) {
      if (existing.source !== 'known') throw new StoreError(`campaign ${c.id} exists as a local campaign`);
      this
        .sql(
          `UPDATE campaigns SET label = @label, family = @family, sender = @sender, representative_text = COALESCE(@text, representative_text),
             signature = @signature, shingles = @shingles, size = MAX(size, @size), first_seen = @firstSeen, last_seen = @lastSeen WHERE id = @id`,
        )
        .run(params);
      this.sql('DELETE FROM lsh WHERE ref = ?').run(-existing.seq);
      this.indexKeys(-existing.seq, bandKeys);
      return;
    }
    const info = this
      .sql(
        `INSERT INTO campaigns (id, source, label, family, sender, representative_text, signature, shingles, size, first_seen, last_seen, created_at)
         VALUES (@id, 'known', @label, @family, @sender, @text, @signature, @shingles, @size, @firstSeen, @lastSeen, @now)`,
      )
      .run(params);
    this.indexKeys(-Number(info.lastInsertRowid), bandKeys);
  }

  campaign(id: string): Campaign | null {
    const row = this.campaignRow(id);
    return row && publicCampaign(row);
  }

  getPetition(id: string): StoredPetition | null {
    const r = this
      .sql(
        `SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email, p.text, p.result, c.id AS campaign_id
         FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq WHERE p.id = ?`,
      )
      .get(id) as
      | { id: string; received_at: string | null; stored_at: string; subject: string | null; sender_name: string | null; sender_email: string | null; text: string; result: string; campaign_id: string | null }
      | undefined;
    if (!r) return null;
    return {
      ...header(r),
      text: r.text,
      result: JSON.parse(r.result) as ScoreResult,
      campaign_id: r.campaign_id,
    };
  }

  putDocument(d: { petitionId: string; text: string; contentType: string; filename: string | null; bytes: Uint8Array | null; document: Pick<StoredDocument, 'parts' | 'skipped'> }): void {
    this.sql(
      `INSERT INTO petition_documents (petition_id, content_type, filename, size, bytes, parts, stored_at)
       SELECT @id, @type, @filename, @size, @bytes, @parts, @at WHERE EXISTS (SELECT 1 FROM petitions WHERE id = @id AND text = @text)
       ON CONFLICT (petition_id) DO NOTHING`,
    ).run({
      id: d.petitionId,
      text: d.text,
      type: d.contentType,
      filename: d.filename,
      size: d.bytes?.byteLength ?? 0,
      bytes: d.bytes ? Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength) : null,
      parts: JSON.stringify(d.document),
      at: new Date().toISOString(),
    });
  }

  document(petitionId: string, withBytes: boolean): StoredDocument | null {
    const r = this.sql(`SELECT petition_id, content_type, filename, size, ${withBytes ? 'bytes' : "CASE WHEN bytes IS NULL THEN NULL ELSE X'' END AS bytes"}, parts, stored_at FROM petition_documents WHERE petition_id = ?`).get(petitionId) as
      | (Omit<StoredDocument, 'parts' | 'skipped' | 'bytes'> & { bytes: Buffer | null; parts: string })
      | undefined;
    if (!r) return null;
    const { parts, skipped } = JSON.parse(r.parts) as Pick<StoredDocument, 'parts' | 'skipped'>;
    return { ...r, bytes: r.bytes ? new Uint8Array(r.bytes) : null, parts, skipped };
  }

  listPetitions(f: PetitionFilter): PetitionPage {
    const cap = totalCap(f.totalCap);
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: f.limit, offset: f.offset, counted: countLimit(cap) };
    const exact: Array<[keyof PetitionFilter, string]> = [
      ['level', 'p.level = @level'],
      ['track', 'p.track = @track'],
      ['from', 'COALESCE(p.received_at, p.stored_at) >= @from'],
      ['to', 'COALESCE(p.received_at, p.stored_at) <= @to'],
      ['campaign', 'p.campaign_seq = (SELECT seq FROM campaigns WHERE id = @campaign)'],
    ];
    for (const [key, clause] of exact) {
      if (f[key] === undefined) continue;
      where.push(clause);
      params[key] = f[key];
    }
    if (f.q) {
      // full-text search (FTS5) over the folded text, subject and sender: every word, as a prefix; or an exact id
      const match = searchQuery(f.q);
      if (match) {
        // found from the moment its verdict was returned: what waits for the index enters it now
        indexWaiting(this.db);
        return this.search(match, where, params, f, cap);
      }
      where.push('p.id = @qExact');
      params.qExact = f.q;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // counted from the petitions' own indexes (joining each matching row's campaign made the inbox's
    // count 60 times slower), and only up to the cap
    const counted = (this.sql(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM petitions p ${clause} LIMIT @counted)`).get(params) as { n: number }).n;
    const rows = this.sql(`${SUMMARY_SELECT} ${clause} ORDER BY p.stored_at DESC, p.seq DESC LIMIT @limit OFFSET @offset`).all(params) as SummaryRow[];
    return { items: rows.map(summary), ...cappedTotal(counted, cap), limit: f.limit, offset: f.offset };
  }

  /**
   * A text search, with or without other filters, answered from the full-text index walked newest
   * first (rowid = seq; petitions are stored in the order of `stored_at`, so seq order is the
   * listing's order). One walk gives both the page and the capped total: it stops after cap + 1
   * matches (or the page's end, when deeper), each match's filters read as the index yields it —
   * never a set of every match built and then joined. Only the page's rows are read in full.
   *
   * Every word is a prefix, and FTS5 merges all of a prefix's terms before the first match (40 ms
   * for a word in nearly every one of 1 000 000 petitions): hence one walk, not a count and a page.
   * Level, track and campaign are read from the narrow `petitions_filters` index rather than each
   * petition's row (a frequent word with a level filter: 22 ms instead of 116 ms at 1 000 000; the
   * planner prefers the row by rowid, hence INDEXED BY). A petition whose id is the query is listed
   * too, when it passes the filters.
   */
  private search(match: string, where: string[], params: Record<string, unknown>, f: PetitionFilter, cap: number): PetitionPage {
    const end = Math.max(countLimit(cap), f.offset + f.limit);
    const args = { ...params, match, qExact: f.q, end };
    const filters = where.length ? `AND ${where.join(' AND ')}` : '';
    const covered = f.from === undefined && f.to === undefined;
    // CROSS JOIN keeps the index the outer loop, so ORDER BY rowid DESC is the index's own order
    const hits = where.length
      ? `FROM petitions_fts f CROSS JOIN petitions p ${covered ? 'INDEXED BY petitions_filters ' : ''}ON p.seq = f.rowid WHERE petitions_fts MATCH @match ${filters}`
      : 'FROM petitions_fts f WHERE petitions_fts MATCH @match';
    // plain numbers, not a row object each: the walk may hand over 10 001 of them
    const seqs = this.sql(`SELECT f.rowid AS seq ${hits} ORDER BY f.rowid DESC LIMIT @end`).pluck().all(args) as number[];
    let counted = Math.min(seqs.length, countLimit(cap));
    const exact = this.sql(`SELECT p.seq FROM petitions p WHERE p.id = @qExact ${filters}`).get(args) as { seq: number } | undefined;
    if (exact && !seqs.includes(exact.seq)) {
      // listed apart, in its place. Not walked means its words do not match, or the walk stopped
      // before reaching it: then it sorts past the page (end >= offset + limit) and the total is
      // capped already, so neither the page nor the total needs to know which
      counted++;
      seqs.push(exact.seq);
      seqs.sort((a, b) => b - a);
    }
    const page = seqs.slice(f.offset, f.offset + f.limit);
    const rows = page.length
      ? (this.sql(`${SUMMARY_SELECT} WHERE p.seq IN (SELECT value FROM json_each(?)) ORDER BY p.seq DESC`).all(JSON.stringify(page)) as SummaryRow[])
      : [];
    return { items: rows.map(summary), ...cappedTotal(counted, cap), limit: f.limit, offset: f.offset };
  }

  listCampaigns(order: 'size' | 'last_seen', limit: number, offset: number): Page<Campaign> {
    const total = (this.sql('SELECT COUNT(*) AS n FROM campaigns').get() as { n: number }).n;
    const by = order === 'size' ? 'size DESC, seq' : 'last_seen DESC, seq';
    const rows = this.sql(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY ${by} LIMIT ? OFFSET ?`).all(limit, offset) as CampaignRow[];
    return { items: rows.map(publicCampaign), total, limit, offset };
  }

  campaignMembers(id: string, limit: number, offset: number): PetitionPage {
    return this.listPetitions({ campaign: id, limit, offset });
  }

  registerModel(m: ModelRecord): void {
    this
      .sql('INSERT INTO models (version, source, path, created_at, card) VALUES (?, ?, ?, ?, ?) ON CONFLICT (version) DO UPDATE SET path = excluded.path, card = excluded.card')
      .run(m.version, m.source, m.path, m.created_at, JSON.stringify(m.card));
  }

  models(): ModelRecord[] {
    return (this.sql('SELECT version, source, path, created_at, card FROM models ORDER BY created_at DESC').all() as Array<Omit<ModelRecord, 'card'> & { card: string }>).map((r) => ({ ...r, card: JSON.parse(r.card) as unknown }));
  }

  model(version: string): ModelRecord | null {
    const r = this.sql('SELECT version, source, path, created_at, card FROM models WHERE version = ?').get(version) as (Omit<ModelRecord, 'card'> & { card: string }) | undefined;
    return r ? { ...r, card: JSON.parse(r.card) as unknown } : null;
  }

  recordActivation(version: string): void {
    this.sql('INSERT INTO model_activations (version, activated_at) VALUES (?, ?)').run(version, new Date().toISOString());
  }

  activations(limit: number): Array<{ version: string; activated_at: string }> {
    return this.sql('SELECT version, activated_at FROM model_activations ORDER BY seq DESC LIMIT ?').all(limit) as Array<{ version: string; activated_at: string }>;
  }

  /** Adds an account, or changes its role and password (and enables it again); a change ends its sessions. */
  addUser(login: string, role: UserRole, passwordHash: string): void {
    this.sql('DELETE FROM sessions WHERE login = ?').run(login);
    this
      .sql('INSERT INTO users (login, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (login) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled_at = NULL')
      .run(login, role, passwordHash, new Date().toISOString());
  }

  userWithHash(login: string): (User & { password_hash: string; disabled: boolean }) | null {
    const r = this.sql('SELECT login, role, password_hash, disabled_at FROM users WHERE login = ?').get(login) as (User & { password_hash: string; disabled_at: string | null }) | undefined;
    if (!r) return null;
    return { login: r.login, role: r.role, password_hash: r.password_hash, disabled: r.disabled_at !== null };
  }

  disableUser(login: string, at: string): boolean {
    const changed = this.sql('UPDATE users SET disabled_at = ? WHERE login = ?').run(at, login).changes > 0;
    this.sql('DELETE FROM sessions WHERE login = ?').run(login);
    return changed;
  }

  erasePetitions(which: { id: string } | { before: string }, at: string): string[] {
    const rows = ('id' in which
      ? this.sql('SELECT seq, id, result FROM petitions WHERE id = ? AND deleted_at IS NULL').all(which.id)
      : this.sql('SELECT seq, id, result FROM petitions WHERE COALESCE(received_at, stored_at) < ? AND deleted_at IS NULL').all(which.before)) as Array<{ seq: number; id: string; result: string }>;
    const erase = this.sql(
      `UPDATE petitions SET text = '', subject = NULL, sender_name = NULL, sender_email = NULL, result = @result,
         embedding = NULL, embedding_model = NULL, deleted_at = @at WHERE seq = @seq`,
    );
    const representative = this.sql('UPDATE campaigns SET representative_text = NULL WHERE representative_petition = ?');
    const unindex = this.sql('DELETE FROM petitions_fts WHERE rowid = ?');
    const unqueue = this.sql('DELETE FROM fts_pending WHERE seq = ?');
    // the original file it arrived as, and clerks' notes on its progress, carry the same personal data
    const original = this.sql('DELETE FROM petition_documents WHERE petition_id = ?');
    const notes = this.sql('UPDATE petition_status SET note = NULL WHERE petition_id = ?');
    for (const r of rows) {
      // one still waiting for the index was never in it
      if (unqueue.run(r.seq).changes === 0) unindex.run(r.seq);
      original.run(r.id);
      notes.run(r.id);
      const result = JSON.parse(r.result) as ScoreResult;
      for (const reason of result.reasons) reason.evidence = [];
      erase.run({ seq: r.seq, at, result: JSON.stringify(result) });
      representative.run(r.id);
    }
    // merging the index's segments drops the erased petitions' words from the file, not only from results
    if (rows.length) this.db.prepare("INSERT INTO petitions_fts (petitions_fts) VALUES ('optimize')").run();
    return rows.map((r) => r.id);
  }

  async backup(file: string): Promise<void> {
    await this.db.backup(file);
  }

  stats() {
    const petitions = (this.sql('SELECT COUNT(*) AS n FROM petitions').get() as { n: number }).n;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return { petitions, bytes: pages * size };
  }

  recordAudit(e: AuditEntry): void {
    this.sql('INSERT INTO audit_log (at, actor, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)').run(e.at, e.actor, e.address, e.action, e.target, e.detail === null ? null : JSON.stringify(e.detail));
  }

  auditTrail(f: AuditFilter): Array<AuditEntry & { seq: number }> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: f.limit };
    if (f.since !== undefined) (where.push('at >= @since'), (params.since = f.since));
    if (f.action !== undefined) (where.push('action = @action'), (params.action = f.action));
    if (f.before !== undefined) (where.push('seq < @before'), (params.before = f.before));
    const rows = this.sql(`SELECT seq, at, actor, address, action, target, detail FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`).all(params) as Array<
      Omit<AuditEntry, 'detail'> & { seq: number; detail: string | null }
    >;
    return rows.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
  }

  loginFailures(scope: ThrottleScope, key: string) {
    return (this.sql('SELECT window_start, failures FROM login_failures WHERE scope = ? AND key = ?').get(scope, key) as { window_start: string; failures: number } | undefined) ?? null;
  }

  setLoginFailures(scope: ThrottleScope, key: string, windowStart: string, failures: number): void {
    this.sql('INSERT INTO login_failures (scope, key, window_start, failures) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET window_start = excluded.window_start, failures = excluded.failures').run(scope, key, windowStart, failures);
  }

  clearLoginFailures(scope: ThrottleScope, key: string): void {
    this.sql('DELETE FROM login_failures WHERE scope = ? AND key = ?').run(scope, key);
  }

  secret(name: string): string {
    this.sql('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(`secret:${name}`, randomBytes(32).toString('base64url'));
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(`secret:${name}`) as { value: string }).value;
  }

  createSession(tokenHash: string, login: string, csrf: string, expiresAt: string): void {
    this.sql('DELETE FROM sessions WHERE expires_at < ?').run(new Date().toISOString());
    this.sql('INSERT INTO sessions (token_hash, login, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(tokenHash, login, csrf, new Date().toISOString(), expiresAt);
  }

  session(tokenHash: string, now: string): Session | null {
    return (
      (this
        .sql('SELECT s.login, u.role, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.login = s.login WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL')
        .get(tokenHash, now) as Session | undefined) ?? null
    );
  }

  deleteSession(tokenHash: string): void {
    this.sql('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  addFeedback(f: Feedback): void {
    this.sql('INSERT INTO feedback (petition_id, label, login, at) VALUES (?, ?, ?, ?)').run(f.petition_id, f.label, f.login, f.at);
  }

  latestFeedback(petitionIds: readonly string[]): Map<string, Feedback> {
    const rows = this
      .sql(
        `SELECT petition_id, label, login, at FROM feedback f
         WHERE petition_id IN (SELECT value FROM json_each(?)) AND seq = (SELECT MAX(seq) FROM feedback g WHERE g.petition_id = f.petition_id)`,
      )
      .all(JSON.stringify(petitionIds)) as Feedback[];
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  feedbackForExport() {
    return this
      .sql(
        `SELECT f.petition_id, f.label, f.login, f.at, p.text, p.subject, p.sender_email, p.received_at FROM feedback f JOIN petitions p ON p.id = f.petition_id
         WHERE f.seq = (SELECT MAX(seq) FROM feedback g WHERE g.petition_id = f.petition_id) AND p.deleted_at IS NULL ORDER BY f.seq`,
      )
      .all() as Array<Feedback & { text: string; subject: string | null; sender_email: string | null; received_at: string | null }>;
  }

  embeddings(model: string, newest = Number.MAX_SAFE_INTEGER) {
    return (this.sql('SELECT id, embedding, level FROM (SELECT seq, id, embedding, level FROM petitions WHERE embedding_model = ? AND embedding IS NOT NULL ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(model, newest) as Array<{ id: string; embedding: Buffer; level: ScoreResult['level'] }>).map((r) => ({
      id: r.id,
      vector: new Float32Array(new Uint8Array(r.embedding).buffer),
      level: r.level,
    }));
  }

  /** Every stored petition's fingerprint (benchmarks compare the LSH look-up with this scan). */
  allFingerprints(): Array<{ id: string; fingerprint: { signature: Uint32Array; shingles: number } }> {
    return (this.sql('SELECT id, signature, shingles FROM petitions').all() as Array<{ id: string; signature: Buffer; shingles: number }>).map((r) => ({
      id: r.id,
      fingerprint: { signature: signatureFromBuffer(r.signature), shingles: r.shingles },
    }));
  }

  /**
   * Indexes up to INDEX_BATCH petitions waiting for the full-text index, in a write transaction of
   * its own begun without waiting (`tryBegin`). Returns whether some still wait, or the write lock
   * was taken (by another process): then it is worth trying again later.
   */
  indexSomeWaiting(): boolean {
    if (!waitingForIndex(this.db)) return false;
    if (this.tryBegin()) return true;
    try {
      indexWaitingIn(this.db, INDEX_BATCH);
      this.commit();
    } catch (e) {
      if (this.db.inTransaction) this.rollback();
      throw e;
    }
    return waitingForIndex(this.db);
  }

  /** Closes the database, after indexing the petitions waiting for the full-text index (kept waiting, for the next open, if that fails). */
  close(): void {
    if (!this.db.open) return;
    try {
      if (!this.db.inTransaction) indexWaiting(this.db);
    } catch {
      // they stay in fts_pending: the next search, or the next SqliteStore over the file, indexes them
    } finally {
      this.db.close();
    }
  }
}

const settle = <T>(f: () => T): Promise<T> => {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e as Error);
  }
};

/** The write transaction open on a SQLite store, and the transaction that code runs in (the guard against waiting for oneself). */
interface OpenTransaction {
  open: boolean;
  savepoints: number;
}
const insideTransaction = new AsyncLocalStorage<{ core: SqliteStoreSync; tx: OpenTransaction }>();

/**
 * Indexes the petitions waiting for the full-text index (search-index.ts) every INDEX_EVERY_MS while
 * some wait: a batch at a time, between requests, under the store's in-process lock like any other
 * call, and never waiting for another process's write lock (it tries again at the next tick).
 */
class WaitingIndexer {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly sync: SqliteStoreSync,
    private readonly lock: AsyncLock,
  ) {}

  /** Indexes what waits within INDEX_EVERY_MS (once however often it is asked meanwhile). */
  soon(): void {
    if (this.timer || this.stopped) return;
    // outside the transaction that may be asking: the timer must not run as a part of it
    this.timer = insideTransaction.exit(() => setTimeout(() => void this.tick(), INDEX_EVERY_MS));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    await this.lock.acquire();
    let again = false;
    try {
      if (!this.stopped && this.sync.connection.open) again = this.sync.indexSomeWaiting();
    } catch {
      // left waiting: the next search indexes them, or the next tick
      again = true;
    } finally {
      this.lock.release();
    }
    if (again) this.soon();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * The office store on SQLite (the default backend): `SqliteStoreSync`'s calls, made asynchronous.
 *
 * One connection serves every request of a process, so the awaits inside an open transaction would
 * let another request's calls run in it (and be rolled back with it). Every call therefore goes
 * through an in-process lock: while a write transaction is open, calls from outside it wait until
 * it commits or rolls back; the transaction's own calls (through the `tx` it hands out) run
 * straight away. Across processes (`serve --workers N`) BEGIN IMMEDIATE serialises writers as
 * before. With the lock free, a call runs at once (better-sqlite3 is synchronous).
 *
 * The transaction's store is a view of its own rather than this object: calling the outer store
 * inside its transaction would wait for itself for ever, so it is refused with an error instead.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly indexesAtInsert = false;
  private trackStore: TrackStore | undefined;
  private outboxStore: OutboxStore | undefined;

  private constructor(
    /** the synchronous store underneath (scripts and benchmarks may use it directly, outside requests) */
    readonly sync: SqliteStoreSync,
    private readonly lock: AsyncLock,
    private readonly tx: OpenTransaction | null,
    private readonly indexer: WaitingIndexer,
  ) {}

  get where(): string {
    return `database ${this.sync.path}`;
  }

  get track(): TrackStore {
    return (this.trackStore ??= asyncTrack(this.sync.track, (f) => this.run(f)));
  }

  get outbox(): OutboxStore {
    return (this.outboxStore ??= asyncOutbox(this.sync.outbox, (f) => this.run(f)));
  }

  /** Opens (creates, migrates) the store in `dataDir`/sito.db. */
  static open(dataDir: string): SqliteStore {
    return SqliteStore.over(SqliteStoreSync.open(dataDir));
  }

  /** The asynchronous store over an open synchronous one; closing either closes both. */
  static over(sync: SqliteStoreSync): SqliteStore {
    const lock = new AsyncLock();
    const store = new SqliteStore(sync, lock, null, new WaitingIndexer(sync, lock));
    // petitions a process stored and did not index before it ended
    store.indexer.soon();
    return store;
  }

  get path(): string {
    return this.sync.path;
  }

  private refuseInside(): StoreError | null {
    const current = insideTransaction.getStore();
    if (current?.core === this.sync && current.tx.open) return new StoreError('the store was called inside its own write transaction: use the transaction (tx) writeTransaction hands out');
    return null;
  }

  private run<T>(f: () => T): Promise<T> {
    if (this.tx) return this.tx.open ? settle(f) : Promise.reject(new StoreError('this write transaction is over: use the store, not the transaction it handed out'));
    const refused = this.refuseInside();
    if (refused) return Promise.reject(refused);
    if (!this.lock.busy) return settle(f);
    return this.lock.acquire().then(() => {
      try {
        return f();
      } finally {
        this.lock.release();
      }
    });
  }

  /** A call that writes several rows: one transaction of its own when it is not inside one already (each method is atomic). */
  private write<T>(f: () => T): Promise<T> {
    return this.run(() => (this.tx ? f() : this.sync.connection.transaction(f).immediate()));
  }

  async writeTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.tx) return this.savepoint(this.tx, fn);
    const refused = this.refuseInside();
    if (refused) throw refused;
    const db = this.sync.connection;
    await this.lock.acquire();
    const state: OpenTransaction = { open: true, savepoints: 0 };
    try {
      return await insideTransaction.run({ core: this.sync, tx: state }, async () => {
        await this.beginWaiting();
        try {
          const out = await fn(new SqliteStore(this.sync, this.lock, state, this.indexer));
          this.sync.commit();
          return out;
        } catch (e) {
          if (db.inTransaction) this.sync.rollback();
          throw e;
        }
      });
    } finally {
      state.open = false;
      this.lock.release();
    }
  }

  /**
   * BEGIN IMMEDIATE, waiting for another process's write transaction without blocking this one:
   * tried again every millisecond or so (a timer) for as long as SQLite's busy timeout would wait,
   * then failing with SQLite's "database is locked" as before. Meanwhile the event loop runs: this
   * process reads and analyses other requests instead of sleeping inside SQLite (`serve --workers
   * N`, storing).
   */
  private async beginWaiting(): Promise<void> {
    let busy = this.sync.tryBegin();
    const until = Date.now() + BUSY_TIMEOUT_MS;
    while (busy && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      busy = this.sync.tryBegin();
    }
    if (busy) throw busy;
  }

  private async savepoint<T>(state: OpenTransaction, fn: (tx: Store) => Promise<T>): Promise<T> {
    if (!state.open) throw new StoreError('this write transaction is over: use the store, not the transaction it handed out');
    const db = this.sync.connection;
    const name = `nested_${++state.savepoints}`;
    db.exec(`SAVEPOINT ${name}`);
    try {
      const out = await fn(this);
      db.exec(`RELEASE ${name}`);
      return out;
    } catch (e) {
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
      throw e;
    }
  }

  candidates(bandKeys: number[], limit: number) {
    return this.run(() => this.sync.candidates(bandKeys, limit));
  }
  hasPetition(id: string) {
    return this.run(() => this.sync.hasPetition(id));
  }
  insertPetition(p: NewPetition, campaignId: string | null, bandKeys: number[] | null) {
    return this.write(() => {
      this.sync.insertPetition(p, campaignId, bandKeys);
      this.indexer.soon();
    });
  }
  createCampaign(id: string, representativePetitionId: string) {
    return this.write(() => this.sync.createCampaign(id, representativePetitionId));
  }
  upsertKnownCampaign(c: NewKnownCampaign, bandKeys: number[]) {
    return this.write(() => this.sync.upsertKnownCampaign(c, bandKeys));
  }
  campaign(id: string) {
    return this.run(() => this.sync.campaign(id));
  }
  getPetition(id: string) {
    return this.run(() => this.sync.getPetition(id));
  }
  listPetitions(filter: PetitionFilter) {
    return this.run(() => this.sync.listPetitions(filter));
  }
  listCampaigns(order: 'size' | 'last_seen', limit: number, offset: number) {
    return this.run(() => this.sync.listCampaigns(order, limit, offset));
  }
  campaignMembers(id: string, limit: number, offset: number) {
    return this.run(() => this.sync.campaignMembers(id, limit, offset));
  }
  putDocument(d: Parameters<Store['putDocument']>[0]) {
    return this.run(() => this.sync.putDocument(d));
  }
  document(petitionId: string, withBytes: boolean) {
    return this.run(() => this.sync.document(petitionId, withBytes));
  }
  embeddings(model: string, newest?: number) {
    return this.run(() => this.sync.embeddings(model, newest));
  }
  erasePetitions(which: { id: string } | { before: string }, at: string) {
    return this.write(() => this.sync.erasePetitions(which, at));
  }
  registerModel(m: ModelRecord) {
    return this.run(() => this.sync.registerModel(m));
  }
  models() {
    return this.run(() => this.sync.models());
  }
  model(version: string) {
    return this.run(() => this.sync.model(version));
  }
  recordActivation(version: string) {
    return this.run(() => this.sync.recordActivation(version));
  }
  activations(limit: number) {
    return this.run(() => this.sync.activations(limit));
  }
  addUser(login: string, role: UserRole, passwordHash: string) {
    return this.write(() => this.sync.addUser(login, role, passwordHash));
  }
  userWithHash(login: string) {
    return this.run(() => this.sync.userWithHash(login));
  }
  disableUser(login: string, at: string) {
    return this.write(() => this.sync.disableUser(login, at));
  }
  createSession(tokenHash: string, login: string, csrf: string, expiresAt: string) {
    return this.write(() => this.sync.createSession(tokenHash, login, csrf, expiresAt));
  }
  session(tokenHash: string, now: string) {
    return this.run(() => this.sync.session(tokenHash, now));
  }
  deleteSession(tokenHash: string) {
    return this.run(() => this.sync.deleteSession(tokenHash));
  }
  loginFailures(scope: ThrottleScope, key: string) {
    return this.run(() => this.sync.loginFailures(scope, key));
  }
  setLoginFailures(scope: ThrottleScope, key: string, windowStart: string, failures: number) {
    return this.run(() => this.sync.setLoginFailures(scope, key, windowStart, failures));
  }
  clearLoginFailures(scope: ThrottleScope, key: string) {
    return this.run(() => this.sync.clearLoginFailures(scope, key));
  }
  addFeedback(f: Feedback) {
    return this.run(() => this.sync.addFeedback(f));
  }
  latestFeedback(petitionIds: readonly string[]) {
    return this.run(() => this.sync.latestFeedback(petitionIds));
  }
  feedbackForExport() {
    return this.run(() => this.sync.feedbackForExport());
  }
  recordAudit(e: AuditEntry) {
    return this.run(() => this.sync.recordAudit(e));
  }
  auditTrail(f: AuditFilter) {
    return this.run(() => this.sync.auditTrail(f));
  }
  secret(name: string) {
    return this.run(() => this.sync.secret(name));
  }
  stats() {
    return this.run(() => this.sync.stats());
  }

  /** Runs beside the other calls (SQLite's online backup copies step by step, and restarts when the file changes underneath). */
  async backup(file: string): Promise<void> {
    const refused = this.refuseInside();
    if (refused) throw refused;
    await this.sync.backup(file);
  }

  async close(): Promise<void> {
    if (this.tx) throw new StoreError('a write transaction cannot close its store');
    this.indexer.stop();
    if (this.lock.busy) {
      await this.lock.acquire();
      this.lock.release();
    }
    this.sync.close();
  }
}

/**
 * `sito migrate` on the SQLite file: `status` reads the file without changing it (nor creating
 * it); `up` opens the store, which applies what is pending (and fills the search index once).
 */
export class SqliteMigrator implements Migrator {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  constructor(private readonly dataDir: string) {
    this.where = `database ${join(resolve(dataDir), 'sito.db')}`;
  }

  private applied(): Map<number, { name: string; applied_at: string }> {
    const path = join(resolve(this.dataDir), 'sito.db');
    if (!existsSync(path)) return new Map();
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    } catch (e) {
      throw new StoreError(`database ${path} cannot be read (${(e as Error).message})`);
    }
    try {
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()) return new Map();
      const rows = db.prepare('SELECT version, name, applied_at FROM schema_migrations').all() as Array<{ version: number; name: string; applied_at: string }>;
      return new Map(rows.map((r) => [r.version, { name: r.name, applied_at: r.applied_at }]));
    } catch (e) {
      throw new StoreError(`database ${path}: ${(e as Error).message}`);
    } finally {
      db.close();
    }
  }

  status(): Promise<MigrationState[]> {
    return settle(() => migrationStates(this.applied()));
  }

  async up(): Promise<MigrationState[]> {
    const before = this.applied();
    SqliteStoreSync.open(this.dataDir).close();
    return migrationStates(this.applied()).filter((m) => m.applied_at !== null && !before.has(m.version));
  }

  async close(): Promise<void> {}
}

/** Known migrations in the order they apply, then applied ones this Sito does not know (a newer Sito's). */
export function migrationStates(applied: ReadonlyMap<number, { name: string; applied_at: string }>): MigrationState[] {
  const known = MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: applied.get(m.version)?.applied_at ?? null }));
  const unknown = [...applied].filter(([v]) => !MIGRATIONS.some((m) => m.version === v)).map(([version, r]) => ({ version, name: r.name, applied_at: r.applied_at }));
  return [...known, ...unknown.sort((a, b) => a.version - b.version)];
}
