import { MIGRATIONS } from '../migrations.js';

/**
 * The office schema on PostgreSQL: the migrations of ../migrations.ts (SQLite), translated one by
 * one under the same version numbers and in the same order. A new migration is added to both
 * lists (test/store-postgres.test.ts checks that they hold the same versions).
 *
 * Translation: INTEGER keys → BIGSERIAL / BIGINT, BLOB → BYTEA, REAL → DOUBLE PRECISION; dates
 * stay ISO-8601 TEXT (the same ordering and the same values as in SQLite, so `sito copy` moves
 * them unchanged); JSON stays TEXT (read back byte for byte).
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'petitions, campaigns, LSH index',
    sql: `
      CREATE TABLE campaigns (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL CHECK (source IN ('local', 'known')),
        label TEXT CHECK (label IN ('mass', 'regular')),
        family TEXT,
        sender TEXT,
        representative_petition TEXT,
        representative_text TEXT,
        signature BYTEA NOT NULL,
        shingles INTEGER NOT NULL,
        size INTEGER NOT NULL DEFAULT 0,
        distinct_senders INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT,
        last_seen TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX campaigns_size ON campaigns (size DESC, seq);
      CREATE INDEX campaigns_last_seen ON campaigns (last_seen DESC, seq);
      CREATE INDEX campaigns_representative ON campaigns (representative_petition);

      CREATE TABLE petitions (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        received_at TEXT,
        stored_at TEXT NOT NULL,
        subject TEXT,
        sender_name TEXT,
        sender_email TEXT,
        text TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        level TEXT NOT NULL,
        track TEXT NOT NULL,
        model_version TEXT NOT NULL,
        result TEXT NOT NULL,
        campaign_seq BIGINT REFERENCES campaigns (seq),
        signature BYTEA NOT NULL,
        shingles INTEGER NOT NULL
      );
      CREATE INDEX petitions_stored ON petitions (stored_at DESC, seq DESC);
      CREATE INDEX petitions_level ON petitions (level, stored_at DESC);
      CREATE INDEX petitions_campaign ON petitions (campaign_seq, seq);

      CREATE TABLE campaign_senders (
        campaign_seq BIGINT NOT NULL REFERENCES campaigns (seq),
        sender TEXT NOT NULL,
        PRIMARY KEY (campaign_seq, sender)
      );

      -- LSH band keys. ref > 0: petitions.seq; ref < 0: −campaigns.seq (a known campaign's fingerprint)
      CREATE TABLE lsh (
        key BIGINT NOT NULL,
        ref BIGINT NOT NULL,
        PRIMARY KEY (key, ref)
      );
      CREATE INDEX lsh_ref ON lsh (ref);
    `,
  },
  {
    version: 2,
    name: 'settings the stored data depends on',
    sql: `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 3,
    name: 'model versions and activations',
    sql: `
      CREATE TABLE models (
        version TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('shipped', 'trained')),
        path TEXT NOT NULL,
        created_at TEXT NOT NULL,
        card TEXT NOT NULL,
        -- PostgreSQL only: a trained model's artifact itself, so that every instance, on any
        -- machine, can load a model trained on another (SQLite keeps only the file's path)
        artifact TEXT
      );
      CREATE TABLE model_activations (
        seq BIGSERIAL PRIMARY KEY,
        version TEXT NOT NULL REFERENCES models (version),
        activated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'users, sessions, clerks feedback',
    sql: `
      CREATE TABLE users (
        login TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('clerk', 'analyst')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      -- the token itself is never stored: only its SHA-256
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE INDEX sessions_login ON sessions (login);
      CREATE TABLE feedback (
        seq BIGSERIAL PRIMARY KEY,
        petition_id TEXT NOT NULL REFERENCES petitions (id),
        label TEXT NOT NULL CHECK (label IN ('mass', 'regular')),
        login TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX feedback_petition ON feedback (petition_id, seq DESC);
    `,
  },
  {
    version: 5,
    name: 'petition embeddings',
    sql: `
      ALTER TABLE petitions ADD COLUMN embedding BYTEA;
      ALTER TABLE petitions ADD COLUMN embedding_model TEXT;
      -- the semantic signal reads the newest N vectors of one model (no pgvector on the target systems: a bounded scan)
      CREATE INDEX petitions_embedding ON petitions (embedding_model, seq DESC) WHERE embedding IS NOT NULL;
    `,
  },
  {
    version: 20,
    name: 'clearinghouse outbox and report ids',
    sql: `
      CREATE TABLE clearinghouse_reports (
        petition_id TEXT PRIMARY KEY,
        report_id TEXT NOT NULL UNIQUE
      );
      CREATE TABLE clearinghouse_outbox (
        seq BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('report', 'mark')),
        report_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
    `,
  },
  {
    version: 10,
    name: 'audit trail, sign-in throttling, disabled users',
    sql: `
      CREATE TABLE audit_log (
        seq BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        address TEXT,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_action ON audit_log (action, seq);
      CREATE TABLE login_failures (
        scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
        key TEXT NOT NULL,
        window_start TEXT NOT NULL,
        failures INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
      ALTER TABLE users ADD COLUMN disabled_at TEXT;
    `,
  },
  {
    version: 11,
    name: 'erased petitions (RODO): when the text and personal data were removed',
    sql: `ALTER TABLE petitions ADD COLUMN deleted_at TEXT;`,
  },
  {
    version: 12,
    name: 'full-text search over the folded text (a tsvector column with a GIN index)',
    // SQLite: an FTS5 table. Here: the same folded text (lower case, no diacritics, folded by Sito
    // as for SQLite) as a 'simple' tsvector, so both backends find the same petitions.
    sql: `
      ALTER TABLE petitions ADD COLUMN search tsvector;
      CREATE INDEX petitions_search ON petitions USING GIN (search);
    `,
  },
  {
    version: 30,
    name: 'original documents of stored petitions',
    sql: `
      CREATE TABLE petition_documents (
        petition_id TEXT PRIMARY KEY REFERENCES petitions (id) ON DELETE CASCADE,
        content_type TEXT NOT NULL,
        filename TEXT,
        size BIGINT NOT NULL,
        bytes BYTEA,
        parts TEXT NOT NULL,
        stored_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 40,
    name: 'campaign names a clerk reads (characteristic words, editable)',
    sql: `
      CREATE TABLE campaign_names (
        campaign_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        words TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('auto', 'clerk')),
        login TEXT,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 41,
    name: 'petycja wielokrotna (art. 11), its members and announcement templates',
    sql: `
      CREATE TABLE joint_considerations (
        seq BIGSERIAL PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        ordered_by TEXT NOT NULL,
        ordered_at TEXT NOT NULL,
        announced_on TEXT NOT NULL,
        waiting_end TEXT NOT NULL,
        deadline TEXT NOT NULL,
        outcome TEXT,
        outcome_by TEXT,
        outcome_at TEXT
      );
      CREATE INDEX joint_campaign ON joint_considerations (campaign_id, seq DESC);
      CREATE TABLE joint_members (
        joint_seq BIGINT NOT NULL REFERENCES joint_considerations (seq),
        petition_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('member', 'rejected')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (joint_seq, petition_id)
      );
      CREATE INDEX joint_members_petition ON joint_members (petition_id, state);
      CREATE TABLE announcement_templates (
        kind TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 42,
    name: 'how each petition is being dealt with (art. 8 ust. 2, art. 14)',
    sql: `
      CREATE TABLE petition_status (
        seq BIGSERIAL PRIMARY KEY,
        petition_id TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT,
        login TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX petition_status_petition ON petition_status (petition_id, seq DESC);
    `,
  },
  {
    version: 43,
    name: 'clearinghouse reports and marks refused for good',
    sql: `
      CREATE TABLE clearinghouse_refused (
        seq BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('report', 'mark')),
        report_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        refused_at TEXT NOT NULL,
        http_status INTEGER NOT NULL,
        problem TEXT NOT NULL
      );
    `,
  },
  {
    version: 44,
    name: 'a narrow index of the filters a search reads for each match (SQLite only)',
    // SQLite walks its FTS5 index and reads each match's level, track and campaign: a narrow index
    // spares it each row. Here a search with many matches walks the newest rows and reads the
    // filters from them, and one with few reads the GIN index's matches: nothing to add.
    sql: `SELECT 1;`,
  },
  {
    version: 45,
    name: 'petitions in the order of their receipt, for listings by deadline',
    // byte order ("C"), as the listing compares the instants as text whatever the database's collation
    sql: `CREATE INDEX petitions_received ON petitions ((COALESCE(received_at, stored_at) COLLATE "C"), seq);`,
  },
  {
    version: 46,
    name: 'the index of receipt holds the dates and filters, for counts and walks that read no petition row',
    // the start page's counts by level and the overdue view's petitions stored after the overdue
    // bound read the dates and the level of a quarter or half of the petitions: from the heap, a
    // sequential scan of every petition with its text (1.6 s at 1 000 000); from this index alone,
    // as SQLite's index of receipt holds them since migration 45
    sql: `DROP INDEX petitions_received;
          CREATE INDEX petitions_received ON petitions ((COALESCE(received_at, stored_at) COLLATE "C"), seq) INCLUDE (id, received_at, stored_at, level, track, campaign_seq);`,
  },
  {
    version: 47,
    name: 'how many days after its receipt each petition was stored',
    // as in SQLite (TrackStore.receiptLag): days between the dates as written, NULL where one does not
    // read as a date (an index expression must not fail an insert)
    sql: `CREATE FUNCTION sito_receipt_lag(stored text, received text) RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
          BEGIN
            RETURN make_date(substr(stored, 1, 4)::int, substr(stored, 6, 2)::int, substr(stored, 9, 2)::int)
                 - make_date(substr(received, 1, 4)::int, substr(received, 6, 2)::int, substr(received, 9, 2)::int);
          EXCEPTION WHEN others THEN
            RETURN NULL;
          END $$;
          CREATE INDEX petitions_receipt_lag ON petitions (sito_receipt_lag(stored_at, received_at)) WHERE received_at IS NOT NULL;`,
  },
  {
    version: 48,
    name: 'the full-text index keeps which petitions hold a word, not where (SQLite only)',
    // SQLite's FTS5 index drops its positions; PostgreSQL's (array_to_tsvector of the words) never held any
    sql: `SELECT 1;`,
  },
  {
    version: 49,
    name: 'stored petitions wait for the full-text index, which takes them in batches (SQLite only)',
    // PostgreSQL's index (a GIN index over a column of the row) is written with the row
    sql: `SELECT 1;`,
  },
];

/** The two lists hold the same versions in the same order (checked at load: a migration added to one list only is a bug). */
export function sameVersions(): boolean {
  const a = MIGRATIONS.map((m) => m.version).join(',');
  const b = POSTGRES_MIGRATIONS.map((m) => m.version).join(',');
  return a === b;
}
