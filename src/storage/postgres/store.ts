import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import type { ScoreResult } from '../../decision/result.js';
import { SCHEME, signatureFromBuffer, signatureToBuffer } from '../../signals/fingerprint/minhash.js';
import { StoreError } from '../sqlite-store.js';
import type {
  AuditEntry,
  AuditFilter,
  Campaign,
  Candidate,
  Feedback,
  ModelRecord,
  NewKnownCampaign,
  NewPetition,
  OutboxStore,
  Page,
  PetitionFilter,
  PetitionPage,
  PetitionSummary,
  Session,
  Store,
  StoredDocument,
  StoredPetition,
  ThrottleScope,
  TrackStore,
  User,
  UserRole,
} from '../store.js';
import { lockedTransaction, openPool, pooledTransaction, params, redactUrl, whileOpen, WRITE_LOCK, type Queryable } from './connection.js';
import { migrate } from './migrate.js';
import { PostgresOutboxStore } from './outbox.js';
import { searchTsQuery, searchWords } from './search.js';
import { searchableText } from '../search-text.js';
import { PostgresTrackStore } from './track-store.js';
import { header, summary, type HeaderRow, type SummaryRow } from '../petition-rows.js';
import { cappedTotal, countLimit, totalCap } from '../listing-total.js';

interface CampaignRow extends Campaign {
  seq: number;
}

const CAMPAIGN_COLUMNS =
  'seq, id, source, label, family, sender, representative_petition, representative_text, size, distinct_senders, first_seen, last_seen';

export const SUMMARY_SELECT = `
  SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email,
         substr(p.text, 1, 400) AS excerpt, p.score, p.level, p.track, c.id AS campaign_id, c.size AS campaign_size,
         (p.result::jsonb #>> '{clearinghouse,offices}')::double precision AS elsewhere
  FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq`;

const publicCampaign = ({ seq: _seq, ...c }: CampaignRow): Campaign => c;
const bytes = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export interface PostgresStoreOptions {
  /** connections per process (the campaign transaction holds one while it decides) */
  poolSize?: number;
  /** where a model trained on another instance is written before it is loaded (its artifact is in the database) */
  modelCacheDir?: string;
  /**
   * How write transactions are kept apart. 'lock' (the default): one advisory lock, writers
   * serialised. 'serializable': SERIALIZABLE isolation, no lock, a transaction that loses a
   * conflict is run again (up to 10 times) — kept to measure the alternative (README: "Running on
   * PostgreSQL"); `fn` must then have no effect outside the transaction.
   */
  writes?: 'lock' | 'serializable';
}

/** SQLSTATEs of a transaction that lost to a concurrent one and may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/** What the store and its transaction-bound copies share. */
interface Shared {
  pool: pg.Pool;
  writes: 'lock' | 'serializable';
  /** transactions run again after a serialisation failure (the 'serializable' mode) */
  retries: number;
  url: string;
  where: string;
  modelCacheDir: string | null;
}

/**
 * The office's store on PostgreSQL (SITO_DATABASE_URL=postgres://…): the same tables as the SQLite
 * store (src/storage/postgres/migrations.ts), shared by every Sito instance pointed at the database.
 *
 * Write transactions run on one pooled client and take one advisory transaction lock
 * (pg_advisory_xact_lock) right after BEGIN: writers serialise across every instance as they do
 * under SQLite's BEGIN IMMEDIATE, and since the lock is taken before anything is read, what a
 * transaction reads (READ COMMITTED, each statement a fresh snapshot) already includes every write
 * committed before it — the campaign decision for concurrent copies of one template is made on one
 * instance at a time, each seeing the others' petitions. Reads outside a transaction go to the pool.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly indexesAtInsert = true;
  readonly where: string;
  readonly track: TrackStore;
  readonly outbox: OutboxStore;
  private readonly shared: Shared;
  /** the pool, or the client holding this store's transaction */
  private readonly q: Queryable;
  /** savepoint depth: 0 outside a transaction */
  private readonly depth: number;

  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = `database ${redactUrl(url)}`;
    const pool = openPool(url, opts.poolSize ?? 8);
    const store = new PostgresStore({ pool, url, where, modelCacheDir: opts.modelCacheDir ?? null, writes: opts.writes ?? 'lock', retries: 0 }, pool, 0);
    try {
      await migrate(pool, where);
      await store.checkScheme();
    } catch (e) {
      await pool.end().catch(() => undefined);
      const msg = (e as Error).message;
      throw new StoreError(msg.startsWith(where) ? msg : `${where}: ${msg}`);
    }
    return store;
  }

  private constructor(shared: Shared, q: Queryable, depth: number) {
    this.shared = shared;
    this.where = shared.where;
    this.q = q;
    this.depth = depth;
    this.track = new PostgresTrackStore(q);
    this.outbox = new PostgresOutboxStore(q);
  }

  /** The pool itself (benchmarks and `sito copy` reach the tables directly). */
  get pool(): pg.Pool {
    return this.shared.pool;
  }

  private async checkScheme() {
    await this.q.query("INSERT INTO meta (key, value) VALUES ('fingerprint_scheme', $1) ON CONFLICT (key) DO NOTHING", [SCHEME]);
    const stored = (await this.q.query<{ value: string }>("SELECT value FROM meta WHERE key = 'fingerprint_scheme'")).rows[0]!.value;
    if (stored !== SCHEME) throw new StoreError(`${this.where} holds fingerprints of scheme ${stored}, this Sito computes ${SCHEME}; start with an empty database or re-import the petitions`);
  }

  /** Transactions run again after losing a serialisation conflict (only in the 'serializable' mode). */
  get retries(): number {
    return this.shared.retries;
  }

  async writeTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.depth === 0 && this.shared.writes === 'serializable') return this.serializable(fn);
    if (this.depth === 0) return lockedTransaction(this.shared.pool, WRITE_LOCK, (c) => fn(new PostgresStore(this.shared, c, 1)));
    const name = `s${this.depth}`;
    await this.q.query(`SAVEPOINT ${name}`);
    const open = whileOpen(this.q);
    try {
      const out = await fn(new PostgresStore(this.shared, open.client, this.depth + 1));
      open.end();
      await this.q.query(`RELEASE SAVEPOINT ${name}`);
      return out;
    } catch (e) {
      open.end();
      await this.q.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw e;
    }
  }

  private async serializable<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await pooledTransaction(this.shared.pool, (c) => c.query('BEGIN ISOLATION LEVEL SERIALIZABLE'), (c) => fn(new PostgresStore(this.shared, c, 1)));
      } catch (e) {
        if (!RETRYABLE.has((e as { code?: string }).code ?? '') || attempt >= 10) throw e;
        this.shared.retries++;
      }
    }
  }

  /** Several statements as one: inside a transaction, in it; outside, in a write transaction of their own. */
  private atomic<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn(this.q);
    if (this.shared.writes === 'serializable') return this.writeTransaction((tx) => fn((tx as PostgresStore).q));
    return lockedTransaction(this.shared.pool, WRITE_LOCK, fn);
  }

  private async campaignRow(q: Queryable, where: 'seq' | 'id', value: unknown): Promise<CampaignRow | null> {
    return (await q.query<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE ${where} = $1`, [value])).rows[0] ?? null;
  }

  async candidates(bandKeys: number[], limit: number): Promise<Candidate[]> {
    const refs = (
      await this.q.query<{ ref: number }>('SELECT ref, COUNT(*) AS hits FROM lsh WHERE key = ANY($1::bigint[]) GROUP BY ref ORDER BY hits DESC, ref DESC LIMIT $2', [bandKeys, limit])
    ).rows.map((r) => r.ref);
    if (!refs.length) return [];
    const petitionSeqs = refs.filter((r) => r > 0);
    const campaignSeqs = refs.filter((r) => r < 0).map((r) => -r);
    const petitions = new Map(
      (
        await this.q.query<{ seq: number; id: string; campaign_seq: number | null; signature: Buffer; shingles: number }>(
          'SELECT seq, id, campaign_seq, signature, shingles FROM petitions WHERE seq = ANY($1::bigint[])',
          [petitionSeqs],
        )
      ).rows.map((r) => [r.seq, r]),
    );
    const wanted = [...new Set([...campaignSeqs, ...[...petitions.values()].flatMap((p) => (p.campaign_seq === null ? [] : [p.campaign_seq]))])];
    const campaigns = new Map(
      (await this.q.query<CampaignRow & { signature: Buffer; shingles: number }>(`SELECT ${CAMPAIGN_COLUMNS}, signature, shingles FROM campaigns WHERE seq = ANY($1::bigint[])`, [wanted])).rows.map((r) => [r.seq, r]),
    );
    const out: Candidate[] = [];
    for (const ref of refs) {
      if (ref > 0) {
        const p = petitions.get(ref);
        if (!p) continue;
        const c = p.campaign_seq === null ? null : campaigns.get(p.campaign_seq);
        out.push({ kind: 'petition', id: p.id, campaign: c ? publicCampaign(withoutFingerprint(c)) : null, fingerprint: { signature: signatureFromBuffer(p.signature), shingles: p.shingles } });
      } else {
        const c = campaigns.get(-ref);
        if (!c) continue;
        out.push({ kind: 'campaign', id: c.id, campaign: publicCampaign(withoutFingerprint(c)), fingerprint: { signature: signatureFromBuffer(c.signature), shingles: c.shingles } });
      }
    }
    return out;
  }

  async hasPetition(id: string): Promise<boolean> {
    return (await this.q.query('SELECT 1 FROM petitions WHERE id = $1', [id])).rowCount! > 0;
  }

  private async indexKeys(q: Queryable, ref: number, keys: number[]) {
    if (keys.length) await q.query('INSERT INTO lsh (key, ref) SELECT k, $2 FROM unnest($1::bigint[]) AS k ON CONFLICT DO NOTHING', [keys, ref]);
  }

  private async touchCampaign(q: Queryable, seq: number, sender: string | null, seenAt: string) {
    if (sender) {
      const added = await q.query('INSERT INTO campaign_senders (campaign_seq, sender) VALUES ($1, $2) ON CONFLICT DO NOTHING', [seq, sender.toLowerCase()]);
      if (added.rowCount! > 0) await q.query('UPDATE campaigns SET distinct_senders = distinct_senders + 1 WHERE seq = $1', [seq]);
    }
    await q.query(
      `UPDATE campaigns SET size = size + 1,
         first_seen = CASE WHEN first_seen IS NULL OR first_seen > $2 THEN $2 ELSE first_seen END,
         last_seen = CASE WHEN last_seen IS NULL OR last_seen < $2 THEN $2 ELSE last_seen END
       WHERE seq = $1`,
      [seq, seenAt],
    );
  }

  insertPetition(p: NewPetition, campaignId: string | null, bandKeys: number[] | null): Promise<void> {
    return this.atomic(async (q) => {
      const campaign = campaignId === null ? null : await this.campaignRow(q, 'id', campaignId);
      if (campaignId !== null && !campaign) throw new StoreError(`campaign ${campaignId} does not exist`);
      const seq = (
        await q.query<{ seq: number }>(
          `INSERT INTO petitions (id, received_at, stored_at, subject, sender_name, sender_email, text, score, level, track,
                                  model_version, result, campaign_seq, signature, shingles, embedding, embedding_model, search)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, array_to_tsvector($18::text[]))
           RETURNING seq`,
          [
            p.id,
            p.receivedAt,
            p.storedAt,
            p.subject,
            p.senderName,
            p.senderEmail,
            p.text,
            p.result.score,
            p.result.level,
            p.result.track,
            p.result.model.version,
            JSON.stringify(p.result),
            campaign?.seq ?? null,
            signatureToBuffer(p.fingerprint.signature),
            p.fingerprint.shingles,
            p.embedding ? bytes(new Uint8Array(p.embedding.vector.buffer, p.embedding.vector.byteOffset, p.embedding.vector.byteLength)) : null,
            p.embedding?.model ?? null,
            searchWords(p.searchable ?? searchableText(p.text, p.subject, p.senderEmail)),
          ],
        )
      ).rows[0]!.seq;
      if (bandKeys) await this.indexKeys(q, seq, bandKeys);
      if (campaign) await this.touchCampaign(q, campaign.seq, p.senderEmail ?? p.senderName, p.receivedAt ?? p.storedAt);
    });
  }

  createCampaign(id: string, representativePetitionId: string): Promise<Campaign> {
    return this.atomic(async (q) => {
      const p = (
        await q.query<{ seq: number; text: string; signature: Buffer; shingles: number; sender_email: string | null; sender_name: string | null; received_at: string | null; stored_at: string }>(
          'SELECT seq, text, signature, shingles, sender_email, sender_name, received_at, stored_at FROM petitions WHERE id = $1',
          [representativePetitionId],
        )
      ).rows[0];
      if (!p) throw new StoreError(`petition ${representativePetitionId} does not exist`);
      const seq = (
        await q.query<{ seq: number }>(
          `INSERT INTO campaigns (id, source, representative_petition, representative_text, signature, shingles, size, created_at)
           VALUES ($1, 'local', $2, $3, $4, $5, 0, $6) RETURNING seq`,
          [id, representativePetitionId, p.text.slice(0, 4000), p.signature, p.shingles, new Date().toISOString()],
        )
      ).rows[0]!.seq;
      await q.query('UPDATE petitions SET campaign_seq = $1 WHERE seq = $2', [seq, p.seq]);
      await this.touchCampaign(q, seq, p.sender_email ?? p.sender_name, p.received_at ?? p.stored_at);
      return publicCampaign((await this.campaignRow(q, 'seq', seq))!);
    });
  }

  upsertKnownCampaign(c: NewKnownCampaign, bandKeys: number[]): Promise<void> {
    return this.atomic(async (q) => {
      const existing = await this.campaignRow(q, 'id', c.id);
      const sig = signatureToBuffer(c.fingerprint.signature);
      if (existing) {
        if (existing.source !== 'known') throw new StoreError(`campaign ${c.id} exists as a local campaign`);
        await q.query(
          `UPDATE campaigns SET label = $2, family = $3, sender = $4, representative_text = COALESCE($5, representative_text),
             signature = $6, shingles = $7, size = GREATEST(size, $8), first_seen = $9, last_seen = $10 WHERE id = $1`,
          [c.id, c.label, c.family, c.sender, c.representativeText, sig, c.fingerprint.shingles, c.size, c.firstSeen, c.lastSeen],
        );
        await q.query('DELETE FROM lsh WHERE ref = $1', [-existing.seq]);
        await this.indexKeys(q, -existing.seq, bandKeys);
        return;
      }
      const seq = (
        await q.query<{ seq: number }>(
          `INSERT INTO campaigns (id, source, label, family, sender, representative_text, signature, shingles, size, first_seen, last_seen, created_at)
           VALUES ($1, 'known', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING seq`,
          [c.id, c.label, c.family, c.sender, c.representativeText, sig, c.fingerprint.shingles, c.size, c.firstSeen, c.lastSeen, new Date().toISOString()],
        )
      ).rows[0]!.seq;
      await this.indexKeys(q, -seq, bandKeys);
    });
  }

  async campaign(id: string): Promise<Campaign | null> {
    const row = await this.campaignRow(this.q, 'id', id);
    return row && publicCampaign(row);
  }

  async getPetition(id: string): Promise<StoredPetition | null> {
    const r = (
      await this.q.query<HeaderRow & { text: string; result: string; campaign_id: string | null }>(
        `SELECT p.id, p.received_at, p.stored_at, p.subject, p.sender_name, p.sender_email, p.text, p.result, c.id AS campaign_id
         FROM petitions p LEFT JOIN campaigns c ON c.seq = p.campaign_seq WHERE p.id = $1`,
        [id],
      )
    ).rows[0];
    if (!r) return null;
    return { ...header(r), text: r.text, result: JSON.parse(r.result) as ScoreResult, campaign_id: r.campaign_id };
  }

  async putDocument(d: { petitionId: string; text: string; contentType: string; filename: string | null; bytes: Uint8Array | null; document: Pick<StoredDocument, 'parts' | 'skipped'> }): Promise<void> {
    await this.q.query(
      `INSERT INTO petition_documents (petition_id, content_type, filename, size, bytes, parts, stored_at)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM petitions WHERE id = $1 AND text = $8)
       ON CONFLICT (petition_id) DO NOTHING`,
      [d.petitionId, d.contentType, d.filename, d.bytes?.byteLength ?? 0, d.bytes ? bytes(d.bytes) : null, JSON.stringify(d.document), new Date().toISOString(), d.text],
    );
  }

  async document(petitionId: string, withBytes: boolean): Promise<StoredDocument | null> {
    const r = (
      await this.q.query<Omit<StoredDocument, 'parts' | 'skipped' | 'bytes'> & { bytes: Buffer | null; parts: string }>(
        `SELECT petition_id, content_type, filename, size, ${withBytes ? 'bytes' : "CASE WHEN bytes IS NULL THEN NULL ELSE ''::bytea END AS bytes"}, parts, stored_at
         FROM petition_documents WHERE petition_id = $1`,
        [petitionId],
      )
    ).rows[0];
    if (!r) return null;
    const { parts, skipped } = JSON.parse(r.parts) as Pick<StoredDocument, 'parts' | 'skipped'>;
    return { ...r, bytes: r.bytes ? new Uint8Array(r.bytes) : null, parts, skipped };
  }

  /**
   * The total, counted at most to the cap (`COUNT(*) FROM (SELECT 1 … LIMIT cap + 1)`), then one
   * query for the page's rows, newest first, every filter inside both. A text search (every folded
   * word as a prefix, or an exact id) is ordered by seq: storage order, the listing's order.
   *
   * How the page is read depends on that count. Up to the cap, every match is found first, through
   * whichever index suits (the GIN index for words), and only those are sorted: given ORDER BY …
   * LIMIT, the planner would otherwise walk the newest rows hoping to meet matches early, and for a
   * word it thinks rarer or commoner than it is walk the whole table (3.2 s for an absent word at
   * 1 000 000). Past the cap, at least cap + 1 rows match and walking the newest rows meets the
   * page's matches early; the words are then a filter on that walk, not a GIN look-up of every match
   * to be sorted (a word in 3 % of 1 000 000 petitions: 30 000 rows to read and sort for 50).
   */
  async listPetitions(f: PetitionFilter): Promise<PetitionPage> {
    const cap = totalCap(f.totalCap);
    const { values, p } = params();
    const where: string[] = [];
    if (f.level !== undefined) where.push(`p.level = ${p(f.level)}`);
    if (f.track !== undefined) where.push(`p.track = ${p(f.track)}`);
    if (f.from !== undefined) where.push(`COALESCE(p.received_at, p.stored_at) >= ${p(f.from)}`);
    if (f.to !== undefined) where.push(`COALESCE(p.received_at, p.stored_at) <= ${p(f.to)}`);
    // the campaign's seq, not a join: the count reads the petitions' own index
    if (f.campaign !== undefined) where.push(`p.campaign_seq = (SELECT seq FROM campaigns WHERE id = ${p(f.campaign)})`);
    let words = (_walk: boolean): string[] => [];
    if (f.q) {
      const match = searchTsQuery(f.q);
      const id = p(f.q);
      const m = match ? p(match) : null;
      // "(…) IS TRUE" selects the same rows; the planner cannot answer it from the GIN index
      words = (walk) => [m ? `(${walk ? `(p.search @@ to_tsquery('simple', ${m})) IS TRUE` : `p.search @@ to_tsquery('simple', ${m})`} OR p.id = ${id})` : `p.id = ${id}`];
    }
    const clause = (walk: boolean) => {
      const all = [...where, ...words(walk)];
      return all.length ? `WHERE ${all.join(' AND ')}` : '';
    };
    const counted = (await this.q.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM petitions p ${clause(false)} LIMIT ${countLimit(cap)}) x`, values)).rows[0]!.n;
    const total = cappedTotal(counted, cap);
    const page = { limit: f.limit, offset: f.offset };
    if (total.total_exact && f.offset >= counted) return { items: [], ...total, ...page };
    const order = (t: string) => (f.q ? `${t}seq DESC` : `${t}stored_at DESC, ${t}seq DESC`);
    const at = `LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`;
    const sql = total.total_exact
      ? `WITH m AS MATERIALIZED (SELECT p.seq, p.stored_at FROM petitions p ${clause(false)})
         ${SUMMARY_SELECT} WHERE p.seq IN (SELECT seq FROM m ORDER BY ${order('')} ${at}) ORDER BY ${order('p.')}`
      : // a date range has no index: walking from the newest rows to an old range would read every newer row
        `${SUMMARY_SELECT} ${clause(f.from === undefined && f.to === undefined)} ORDER BY ${order('p.')} ${at}`;
    const rows = (await this.q.query<SummaryRow>(sql, values)).rows;
    return { items: rows.map(summary), ...total, ...page };
  }

  async listCampaigns(order: 'size' | 'last_seen', limit: number, offset: number): Promise<Page<Campaign>> {
    const total = (await this.q.query<{ n: number }>('SELECT COUNT(*) AS n FROM campaigns')).rows[0]!.n;
    const by = order === 'size' ? 'size DESC, seq' : 'last_seen DESC NULLS LAST, seq';
    const rows = (await this.q.query<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY ${by} LIMIT $1 OFFSET $2`, [limit, offset])).rows;
    return { items: rows.map(publicCampaign), total, limit, offset };
  }

  campaignMembers(id: string, limit: number, offset: number): Promise<PetitionPage> {
    return this.listPetitions({ campaign: id, limit, offset });
  }

  async embeddings(model: string, newest?: number) {
    const rows = (
      await this.q.query<{ id: string; embedding: Buffer; level: ScoreResult['level'] }>(
        `SELECT id, embedding, level FROM (SELECT seq, id, embedding, level FROM petitions WHERE embedding_model = $1 AND embedding IS NOT NULL ORDER BY seq DESC LIMIT $2) x ORDER BY seq`,
        [model, newest ?? null],
      )
    ).rows;
    return rows.map((r) => ({ id: r.id, vector: new Float32Array(new Uint8Array(r.embedding).buffer), level: r.level }));
  }

  erasePetitions(which: { id: string } | { before: string }, at: string): Promise<string[]> {
    return this.atomic(async (q) => {
      const rows = (
        'id' in which
          ? await q.query<{ seq: number; id: string; result: string }>('SELECT seq, id, result FROM petitions WHERE id = $1 AND deleted_at IS NULL', [which.id])
          : await q.query<{ seq: number; id: string; result: string }>('SELECT seq, id, result FROM petitions WHERE COALESCE(received_at, stored_at) < $1 AND deleted_at IS NULL ORDER BY seq', [which.before])
      ).rows;
      if (!rows.length) return [];
      const ids = rows.map((r) => r.id);
      const results = rows.map((r) => {
        const result = JSON.parse(r.result) as ScoreResult;
        for (const reason of result.reasons) reason.evidence = [];
        return JSON.stringify(result);
      });
      // the original file it arrived as, and clerks' notes on its progress, carry the same personal data
      await q.query('DELETE FROM petition_documents WHERE petition_id = ANY($1::text[])', [ids]);
      await q.query('UPDATE petition_status SET note = NULL WHERE petition_id = ANY($1::text[])', [ids]);
      await q.query(
        `UPDATE petitions p SET text = '', subject = NULL, sender_name = NULL, sender_email = NULL, result = u.result,
           embedding = NULL, embedding_model = NULL, search = NULL, deleted_at = $3
         FROM unnest($1::bigint[], $2::text[]) AS u(seq, result) WHERE p.seq = u.seq`,
        [rows.map((r) => r.seq), results, at],
      );
      await q.query('UPDATE campaigns SET representative_text = NULL WHERE representative_petition = ANY($1::text[])', [ids]);
      return ids;
    });
  }

  async registerModel(m: ModelRecord): Promise<void> {
    // a trained model's artifact travels in the database: the other instances load it from there
    const artifact = m.source === 'trained' && existsSync(m.path) ? readFileSync(m.path, 'utf8') : null;
    await this.q.query(
      `INSERT INTO models (version, source, path, created_at, card, artifact) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (version) DO UPDATE SET path = excluded.path, card = excluded.card, artifact = COALESCE(excluded.artifact, models.artifact)`,
      [m.version, m.source, m.path, m.created_at, JSON.stringify(m.card), artifact],
    );
  }

  async models(): Promise<ModelRecord[]> {
    const rows = (await this.q.query<Omit<ModelRecord, 'card'> & { card: string }>('SELECT version, source, path, created_at, card FROM models ORDER BY created_at DESC, version')).rows;
    return rows.map((r) => ({ ...r, card: JSON.parse(r.card) as unknown }));
  }

  /** A model trained on another instance (its file is not on this machine) is written from the database to the model cache first. */
  async model(version: string): Promise<ModelRecord | null> {
    const r = (await this.q.query<Omit<ModelRecord, 'card'> & { card: string; has_artifact: boolean }>('SELECT version, source, path, created_at, card, artifact IS NOT NULL AS has_artifact FROM models WHERE version = $1', [version])).rows[0];
    if (!r) return null;
    const { has_artifact, ...rec } = r;
    let path = rec.path;
    if (!existsSync(path) && has_artifact && this.shared.modelCacheDir) {
      const dir = resolve(this.shared.modelCacheDir);
      path = join(dir, `${version.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
      if (!existsSync(path)) {
        const artifact = (await this.q.query<{ artifact: string }>('SELECT artifact FROM models WHERE version = $1', [version])).rows[0]!.artifact;
        mkdirSync(dir, { recursive: true });
        const tmp = `${path}.tmp-${process.pid}`;
        writeFileSync(tmp, artifact);
        renameSync(tmp, path);
      }
    }
    return { ...rec, path, card: JSON.parse(rec.card) as unknown };
  }

  async recordActivation(version: string): Promise<void> {
    await this.q.query('INSERT INTO model_activations (version, activated_at) VALUES ($1, $2)', [version, new Date().toISOString()]);
  }

  async activations(limit: number): Promise<Array<{ version: string; activated_at: string }>> {
    return (await this.q.query<{ version: string; activated_at: string }>('SELECT version, activated_at FROM model_activations ORDER BY seq DESC LIMIT $1', [limit])).rows;
  }

  addUser(login: string, role: UserRole, passwordHash: string): Promise<void> {
    return this.atomic(async (q) => {
      await q.query('DELETE FROM sessions WHERE login = $1', [login]);
      await q.query(
        'INSERT INTO users (login, role, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled_at = NULL',
        [login, role, passwordHash, new Date().toISOString()],
      );
    });
  }

  async userWithHash(login: string): Promise<(User & { password_hash: string; disabled: boolean }) | null> {
    const r = (await this.q.query<User & { password_hash: string; disabled_at: string | null }>('SELECT login, role, password_hash, disabled_at FROM users WHERE login = $1', [login])).rows[0];
    if (!r) return null;
    return { login: r.login, role: r.role, password_hash: r.password_hash, disabled: r.disabled_at !== null };
  }

  disableUser(login: string, at: string): Promise<boolean> {
    return this.atomic(async (q) => {
      const changed = (await q.query('UPDATE users SET disabled_at = $1 WHERE login = $2', [at, login])).rowCount! > 0;
      await q.query('DELETE FROM sessions WHERE login = $1', [login]);
      return changed;
    });
  }

  async createSession(tokenHash: string, login: string, csrf: string, expiresAt: string): Promise<void> {
    const now = new Date().toISOString();
    await this.q.query('DELETE FROM sessions WHERE expires_at < $1', [now]);
    await this.q.query('INSERT INTO sessions (token_hash, login, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [tokenHash, login, csrf, now, expiresAt]);
  }

  async session(tokenHash: string, now: string): Promise<Session | null> {
    return (
      (
        await this.q.query<Session>(
          'SELECT s.login, u.role, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.login = s.login WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL',
          [tokenHash, now],
        )
      ).rows[0] ?? null
    );
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.q.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async loginFailures(scope: ThrottleScope, key: string) {
    return (await this.q.query<{ window_start: string; failures: number }>('SELECT window_start, failures FROM login_failures WHERE scope = $1 AND key = $2', [scope, key])).rows[0] ?? null;
  }

  async setLoginFailures(scope: ThrottleScope, key: string, windowStart: string, failures: number): Promise<void> {
    await this.q.query(
      'INSERT INTO login_failures (scope, key, window_start, failures) VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO UPDATE SET window_start = excluded.window_start, failures = excluded.failures',
      [scope, key, windowStart, failures],
    );
  }

  async clearLoginFailures(scope: ThrottleScope, key: string): Promise<void> {
    await this.q.query('DELETE FROM login_failures WHERE scope = $1 AND key = $2', [scope, key]);
  }

  async addFeedback(f: Feedback): Promise<void> {
    await this.q.query('INSERT INTO feedback (petition_id, label, login, at) VALUES ($1, $2, $3, $4)', [f.petition_id, f.label, f.login, f.at]);
  }

  async latestFeedback(petitionIds: readonly string[]): Promise<Map<string, Feedback>> {
    const rows = (
      await this.q.query<Feedback>(
        `SELECT DISTINCT ON (petition_id) petition_id, label, login, at FROM feedback WHERE petition_id = ANY($1::text[]) ORDER BY petition_id, seq DESC`,
        [petitionIds],
      )
    ).rows;
    return new Map(rows.map((r) => [r.petition_id, r]));
  }

  async feedbackForExport() {
    return (
      await this.q.query<Feedback & { text: string; subject: string | null; sender_email: string | null; received_at: string | null }>(
        `SELECT f.petition_id, f.label, f.login, f.at, p.text, p.subject, p.sender_email, p.received_at FROM feedback f JOIN petitions p ON p.id = f.petition_id
         WHERE f.seq = (SELECT MAX(seq) FROM feedback g WHERE g.petition_id = f.petition_id) AND p.deleted_at IS NULL ORDER BY f.seq`,
      )
    ).rows;
  }

  async recordAudit(e: AuditEntry): Promise<void> {
    await this.q.query('INSERT INTO audit_log (at, actor, address, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
      e.at,
      e.actor,
      e.address,
      e.action,
      e.target,
      e.detail === null ? null : JSON.stringify(e.detail),
    ]);
  }

  async auditTrail(f: AuditFilter): Promise<Array<AuditEntry & { seq: number }>> {
    const { values, p } = params();
    const where: string[] = [];
    if (f.since !== undefined) where.push(`at >= ${p(f.since)}`);
    if (f.action !== undefined) where.push(`action = ${p(f.action)}`);
    if (f.before !== undefined) where.push(`seq < ${p(f.before)}`);
    const rows = (
      await this.q.query<Omit<AuditEntry, 'detail'> & { seq: number; detail: string | null }>(
        `SELECT seq, at, actor, address, action, target, detail FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${p(f.limit)}`,
        values,
      )
    ).rows;
    return rows.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
  }

  async secret(name: string): Promise<string> {
    await this.q.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [`secret:${name}`, randomBytes(32).toString('base64url')]);
    return (await this.q.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [`secret:${name}`])).rows[0]!.value;
  }

  /** pg_dump's custom format (restore with pg_restore): PostgreSQL's own consistent copy of a database in use. */
  async backup(file: string): Promise<void> {
    try {
      await promisify(execFile)('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${this.shared.url}`], { maxBuffer: 16 * 1024 * 1024 });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      if (err.code === 'ENOENT') throw new StoreError(`pg_dump is not installed: on PostgreSQL, back up with pg_dump (Debian: apt-get install postgresql-client) or your database's own backups`);
      throw new StoreError(`pg_dump failed: ${(err.stderr ?? err.message).trim()}`);
    }
  }

  async stats() {
    const r = (await this.q.query<{ petitions: number; bytes: number }>('SELECT (SELECT COUNT(*) FROM petitions) AS petitions, pg_database_size(current_database()) AS bytes')).rows[0]!;
    return { petitions: r.petitions, bytes: r.bytes };
  }

  async close(): Promise<void> {
    if (this.depth > 0) return;
    await this.shared.pool.end().catch(() => undefined);
  }
}

function withoutFingerprint<T extends { signature: Buffer; shingles: number }>(r: T): Omit<T, 'signature' | 'shingles'> {
  const { signature: _s, shingles: _n, ...rest } = r;
  return rest;
}
