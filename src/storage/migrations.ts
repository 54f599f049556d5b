import type Database from 'better-sqlite3';

/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each.
 * Portable SQL (TEXT, INTEGER, REAL, BLOB; no SQLite-only types) so that a PostgreSQL store can
 * run the same shape (BLOB → bytea, INTEGER keys → bigint).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'petitions, campaigns, LSH index',
    sql: `
      CREATE TABLE campaigns (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL CHECK (source IN ('local', 'known')),
        label TEXT CHECK (label IN ('mass', 'regular')),
        family TEXT,
        sender TEXT,
        representative_petition TEXT,
        representative_text TEXT,
        signature BLOB NOT NULL,
        shingles INTEGER NOT NULL,
        size INTEGER NOT NULL DEFAULT 0,
        distinct_senders INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT,
        last_seen TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX campaigns_size ON campaigns (size DESC, seq);
      CREATE INDEX campaigns_last_seen ON campaigns (last_seen DESC, seq);

      CREATE TABLE petitions (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        received_at TEXT,
        stored_at TEXT NOT NULL,
        subject TEXT,
        sender_name TEXT,
        sender_email TEXT,
        text TEXT NOT NULL,
        score REAL NOT NULL,
        level TEXT NOT NULL,
        track TEXT NOT NULL,
        model_version TEXT NOT NULL,
        result TEXT NOT NULL,
        campaign_seq INTEGER REFERENCES campaigns (seq),
        signature BLOB NOT NULL,
        shingles INTEGER NOT NULL
      );
      CREATE INDEX petitions_stored ON petitions (stored_at DESC, seq DESC);
      CREATE INDEX petitions_level ON petitions (level, stored_at DESC);
      CREATE INDEX petitions_campaign ON petitions (campaign_seq, seq);

      CREATE TABLE campaign_senders (
        campaign_seq INTEGER NOT NULL REFERENCES campaigns (seq),
        sender TEXT NOT NULL,
        PRIMARY KEY (campaign_seq, sender)
      ) WITHOUT ROWID;

      -- LSH band keys. ref > 0: petitions.seq; ref < 0: −campaigns.seq (a known campaign's fingerprint)
      CREATE TABLE lsh (
        key INTEGER NOT NULL,
        ref INTEGER NOT NULL,
        PRIMARY KEY (key, ref)
      ) WITHOUT ROWID;
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
        card TEXT NOT NULL
      );
      CREATE TABLE model_activations (
        seq INTEGER PRIMARY KEY,
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
      CREATE TABLE feedback (
        seq INTEGER PRIMARY KEY,
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
      ALTER TABLE petitions ADD COLUMN embedding BLOB;
      ALTER TABLE petitions ADD COLUMN embedding_model TEXT;
    `,
  },
  {
    version: 20,
    name: 'clearinghouse outbox and report ids',
    sql: `
      -- the report id each stored petition was reported under (marks travel under it too)
      CREATE TABLE clearinghouse_reports (
        petition_id TEXT PRIMARY KEY,
        report_id TEXT NOT NULL UNIQUE
      );
      -- what waits to be sent: kind 'report' (payload: the wire report) or 'mark' (payload: {mark})
      CREATE TABLE clearinghouse_outbox (
        seq INTEGER PRIMARY KEY,
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
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        address TEXT,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_action ON audit_log (action, seq);
      -- failed sign-ins per account and per address in the current window (shared by every worker)
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
    name: 'full-text search over the folded text (SQLite FTS5; filled by the store at open)',
    // SQLite only: a PostgreSQL store uses its own full-text search (to_tsvector over the folded text)
    sql: `CREATE VIRTUAL TABLE petitions_fts USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');`,
  },
  {
    version: 30,
    name: 'original documents of stored petitions',
    sql: `
      -- the file a petition arrived as (e-mail, PDF, DOCX…), and where each part of its text came from;
      -- bytes is NULL when the original was larger than SITO_DOCUMENT_STORE_LIMIT
      CREATE TABLE petition_documents (
        petition_id TEXT PRIMARY KEY REFERENCES petitions (id) ON DELETE CASCADE,
        content_type TEXT NOT NULL,
        filename TEXT,
        size INTEGER NOT NULL,
        bytes BLOB,
        parts TEXT NOT NULL,
        stored_at TEXT NOT NULL
      );
    `,
  },
  // 40–49: the mass track under the Petitions Act (src/track, src/storage/track-store.ts)
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
        seq INTEGER PRIMARY KEY,
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
        joint_seq INTEGER NOT NULL REFERENCES joint_considerations (seq),
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
        seq INTEGER PRIMARY KEY,
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
      -- outbox rows the clearinghouse refused for good (a 4xx that no retry changes, or listed as
      -- rejected in its answer): moved here so they never block the rows queued after them
      CREATE TABLE clearinghouse_refused (
        seq INTEGER PRIMARY KEY,
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
    name: 'a narrow index of the filters a search reads for each match',
    // a search with a level, track or campaign filter reads them for every match it walks (up to
    // 10 001 counted): from this index, not from each petition's row with its text
    sql: `CREATE INDEX petitions_filters ON petitions (seq, level, track, campaign_seq);`,
  },
  {
    version: 45,
    name: 'petitions in the order of their receipt, for listings by deadline',
    // a petition's deadline is 3 months from the day it was received (or stored): the inbox by
    // deadline walks this index from the oldest instead of sorting every petition in the process,
    // reading what it needs (id, dates and the inbox's filters) from the index alone
    sql: `CREATE INDEX petitions_received ON petitions (COALESCE(received_at, stored_at), seq, id, received_at, stored_at, level, track, campaign_seq);`,
  },
  {
    version: 46,
    name: 'the index of receipt holds the dates and filters (PostgreSQL only)',
    // PostgreSQL's index of receipt gains what this one has held since migration 45
    sql: `SELECT 1;`,
  },
  {
    version: 47,
    name: 'how many days after its receipt each petition was stored',
    // the overdue view, newest first, reads the petitions stored after the overdue bound but received
    // before it; the longest gap between the two dates bounds how far back they were received
    // (TrackStore.receiptLag). NULL where a date does not read as one.
    sql: `CREATE INDEX petitions_receipt_lag ON petitions (julianday(substr(stored_at, 1, 10)) - julianday(substr(received_at, 1, 10))) WHERE received_at IS NOT NULL;`,
  },
  {
    version: 48,
    name: 'the full-text index keeps which petitions hold a word, not where (refilled by the store at open)',
    // search asks for words and word prefixes, all of them in a petition, never a phrase or words near
    // each other, so the positions the index kept were never read; without them (detail=none) a
    // stored petition writes less and the index takes about 40 % of the room. A contentless index
    // cannot be altered or copied: it is made again and refilled from the petitions not erased.
    sql: `DROP TABLE petitions_fts;
          CREATE VIRTUAL TABLE petitions_fts USING fts5(body, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0');
          DELETE FROM meta WHERE key = 'fts_filled';`,
  },
  {
    version: 49,
    name: 'stored petitions wait here for the full-text index, which takes them in batches',
    // storing a petition no longer writes the index in its own transaction: search-index.ts
    sql: `CREATE TABLE fts_pending (seq INTEGER PRIMARY KEY);`,
  },
];

/**
 * Applies the migrations not yet recorded in `table`, in order, each in its own write transaction
 * that checks again whether it is recorded (several processes may open a new database at once).
 * A database whose newest recorded version is newer than any known here is refused (an older
 * Sito must not write to a newer schema).
 */
export function applyMigrations(db: Database.Database, table: string, migrations: ReadonlyArray<{ version: number; name: string; sql: string }>, where: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set((db.prepare(`SELECT version FROM ${table}`).all() as Array<{ version: number }>).map((r) => r.version));
  const known = Math.max(...migrations.map((m) => m.version));
  const newest = Math.max(0, ...done);
  if (newest > known) throw new Error(`${where} has schema version ${newest}, newer than this Sito knows (${known}); upgrade Sito`);
  const recorded = db.prepare(`SELECT 1 FROM ${table} WHERE version = ?`);
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      // another process opening the same new database (serve --workers N) may have applied it meanwhile
      if (recorded.get(m.version)) return;
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`).run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
}
