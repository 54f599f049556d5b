import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { SCHEME } from '../../signals/fingerprint/minhash.js';
import { MIGRATIONS } from '../migrations.js';
import { lockedTransaction, openPool, redactUrl, WRITE_LOCK } from './connection.js';
import { migrate } from './migrate.js';
import { searchWords } from './search.js';
import { searchableText } from '../search-text.js';

/**
 * The office's tables in the order they are copied (a table after those it refers to), with the
 * SQLite column that orders a copy. The search index is not copied: it is rebuilt from each
 * petition's text (SQLite's FTS5 table has no PostgreSQL counterpart).
 */
export const COPIED_TABLES: ReadonlyArray<{ table: string; order: string }> = [
  { table: 'meta', order: 'key' },
  { table: 'campaigns', order: 'seq' },
  { table: 'petitions', order: 'seq' },
  { table: 'campaign_senders', order: 'campaign_seq, sender' },
  { table: 'lsh', order: 'key, ref' },
  { table: 'models', order: 'version' },
  { table: 'model_activations', order: 'seq' },
  { table: 'users', order: 'login' },
  { table: 'sessions', order: 'token_hash' },
  { table: 'feedback', order: 'seq' },
  { table: 'clearinghouse_reports', order: 'petition_id' },
  { table: 'clearinghouse_outbox', order: 'seq' },
  { table: 'clearinghouse_refused', order: 'seq' },
  { table: 'audit_log', order: 'seq' },
  { table: 'login_failures', order: 'scope, key' },
  { table: 'petition_documents', order: 'petition_id' },
  { table: 'campaign_names', order: 'campaign_id' },
  { table: 'joint_considerations', order: 'seq' },
  { table: 'joint_members', order: 'joint_seq, petition_id' },
  { table: 'announcement_templates', order: 'kind' },
  { table: 'petition_status', order: 'seq' },
];

/**
 * What opening a store fills on its own (the known-campaign library, the shipped model, the
 * fingerprint scheme, secrets): replaced by the source's rows. Everything else must be empty.
 */
const FILLED_AT_OPEN = new Set(['meta', 'campaigns', 'campaign_senders', 'lsh', 'models']);

export class CopyError extends Error {}

export interface CopyReport {
  from: string;
  to: string;
  /** rows per table, the same on both sides (verified before the copy was committed) */
  tables: Record<string, number>;
  seconds: number;
}

/** Rows per INSERT, and bytes (documents) per INSERT. */
const BATCH_ROWS = 2000;
const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Copies an office from its SQLite file to an empty PostgreSQL database: every row of every
 * table, keeping each row's seq (campaign membership, LSH references and the order of listings
 * stay as they were), in one PostgreSQL transaction — a copy that fails leaves the target as it
 * was, and can be run again. The source is read in one read transaction (a consistent snapshot,
 * even while a Sito writes to it). Counts are compared table by table before committing.
 */
export async function copySqliteToPostgres(source: string, url: string, onRows: (table: string, n: number) => void = () => {}, onTotal: (n: number) => void = () => {}): Promise<CopyReport> {
  const started = Date.now();
  // the office's data folder, or its database file
  const sqliteFile = existsSync(source) && statSync(source).isDirectory() ? join(source, 'sito.db') : source;
  if (!existsSync(sqliteFile)) throw new CopyError(`${sqliteFile}: no such file (the office's database is sito.db in its SITO_DATA_DIR)`);
  let src: Database.Database;
  try {
    src = new Database(sqliteFile, { readonly: true, fileMustExist: true });
    src.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
  } catch (e) {
    throw new CopyError(`${sqliteFile} cannot be read as a database (${(e as Error).message})`);
  }
  const pool = openPool(url, 1);
  const to = `database ${redactUrl(url)}`;
  try {
    src.exec('BEGIN');
    checkSource(src, sqliteFile);
    const counts = Object.fromEntries(COPIED_TABLES.map(({ table }) => [table, (src.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n]));
    onTotal(Object.values(counts).reduce((a, b) => a + b, 0));
    await migrate(pool, to);
    await lockedTransaction(pool, WRITE_LOCK, async (c) => {
      await refuseNonEmpty(c, to);
      for (const table of [...FILLED_AT_OPEN].reverse()) await c.query(`DELETE FROM ${table}`);
      for (const { table, order } of COPIED_TABLES) await copyTable(src, c, table, order, (n) => onRows(table, n));
      for (const { table } of COPIED_TABLES) {
        if (await hasSeq(c, table)) await c.query(`SELECT setval(pg_get_serial_sequence('${table}', 'seq'), COALESCE((SELECT MAX(seq) FROM ${table}), 0) + 1, false)`);
      }
      const mismatched: string[] = [];
      for (const { table } of COPIED_TABLES) {
        const n = (await c.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n;
        if (n !== counts[table]) mismatched.push(`${table}: ${counts[table]} in SQLite, ${n} in PostgreSQL`);
      }
      if (mismatched.length) throw new CopyError(`the copy does not match its source, nothing was kept: ${mismatched.join('; ')}`);
    });
    await pool.query(`ANALYZE ${COPIED_TABLES.map((t) => t.table).join(', ')}`);
    return { from: sqliteFile, to, tables: counts, seconds: (Date.now() - started) / 1000 };
  } finally {
    if (src.inTransaction) src.exec('COMMIT');
    src.close();
    await pool.end();
  }
}

function checkSource(src: Database.Database, file: string) {
  const hasMigrations = src.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasMigrations) throw new CopyError(`${file} is not a Sito office database (no schema_migrations table)`);
  const done = new Set((src.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const missing = MIGRATIONS.filter((m) => !done.has(m.version)).map((m) => m.version);
  if (missing.length) throw new CopyError(`${file} lacks migrations ${missing.join(', ')}: bring it up to date first (SITO_DATA_DIR=<its folder> sito migrate up)`);
  const unknown = [...done].filter((v) => !MIGRATIONS.some((m) => m.version === v));
  if (unknown.length) throw new CopyError(`${file} has schema versions this Sito does not know (${unknown.join(', ')}); copy it with the Sito that wrote it`);
  const scheme = (src.prepare("SELECT value FROM meta WHERE key = 'fingerprint_scheme'").get() as { value: string } | undefined)?.value;
  if (scheme && scheme !== SCHEME) throw new CopyError(`${file} holds fingerprints of scheme ${scheme}, this Sito computes ${SCHEME}`);
}

async function refuseNonEmpty(c: pg.PoolClient, to: string) {
  const held: string[] = [];
  for (const { table } of COPIED_TABLES) {
    if (FILLED_AT_OPEN.has(table) && table !== 'campaigns') continue;
    const where = table === 'campaigns' ? " WHERE source = 'local'" : '';
    const n = (await c.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}${where}`)).rows[0]!.n;
    if (n > 0) held.push(`${n} ${table === 'campaigns' ? 'local campaigns' : table}`);
  }
  if (held.length) {
    throw new CopyError(`${to} already holds an office (${held.join(', ')}); sito copy fills an empty database only — create a new one (createdb) or drop this one's tables first`);
  }
}

async function hasSeq(c: pg.PoolClient, table: string): Promise<boolean> {
  return (await c.query("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'seq' AND column_default LIKE 'nextval%'", [table])).rowCount! > 0;
}

/** Copies one table in batches: one INSERT … SELECT FROM unnest(arrays) per batch, each column as a typed array. */
async function copyTable(src: Database.Database, c: pg.PoolClient, table: string, order: string, onRows: (n: number) => void) {
  const srcColumns = (src.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((r) => r.name);
  const types = new Map(
    (await c.query<{ column_name: string; udt_name: string }>('SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows.map((r) => [r.column_name, r.udt_name]),
  );
  const columns = srcColumns.filter((col) => types.has(col));
  const extra: string[] = table === 'petitions' ? ['search'] : table === 'models' ? ['artifact'] : [];
  const targetColumns = [...columns, ...extra];
  const select = targetColumns.map((col, i) => (col === 'search' ? `array_to_tsvector(string_to_array(u.c${i}, ' '))` : `u.c${i}`)).join(', ');
  const sql = `INSERT INTO ${table} (${targetColumns.join(', ')}) SELECT ${select} FROM unnest(${targetColumns.map((col, i) => `$${i + 1}::${col === 'search' ? 'text' : types.get(col)!}[]`).join(', ')}) AS u(${targetColumns.map((_, i) => `c${i}`).join(', ')})`;
  let batch: unknown[][] = targetColumns.map(() => []);
  let rows = 0;
  let bytes = 0;
  const flush = async () => {
    if (!rows) return;
    await c.query(sql, batch);
    onRows(rows);
    batch = targetColumns.map(() => []);
    rows = 0;
    bytes = 0;
  };
  for (const r of src.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`).iterate() as IterableIterator<Record<string, unknown>>) {
    columns.forEach((col, i) => {
      const v = r[col];
      if (Buffer.isBuffer(v)) bytes += v.byteLength;
      else if (typeof v === 'string') bytes += v.length;
      batch[i]!.push(v ?? null);
    });
    if (table === 'petitions') {
      // erased petitions have no search entry, as in SQLite
      batch[columns.length]!.push(r.deleted_at ? null : searchWords(searchableText(r.text as string, r.subject as string | null, r.sender_email as string | null)).join(' '));
    } else if (table === 'models') {
      const path = r.path as string;
      batch[columns.length]!.push(r.source === 'trained' && existsSync(path) ? readFileSync(path, 'utf8') : null);
    }
    rows++;
    if (rows >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
  }
  await flush();
}
