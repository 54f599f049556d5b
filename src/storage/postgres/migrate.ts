import type pg from 'pg';
import type { MigrationState, Migrator } from '../store.js';
import { lockedTransaction, MIGRATION_LOCK, openPool, redactUrl } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

const TABLE = 'schema_migrations';

async function applied(q: pg.Pool | pg.PoolClient): Promise<Map<number, { name: string; applied_at: string }>> {
  const exists = (await q.query<{ t: string | null }>(`SELECT to_regclass('${TABLE}')::text AS t`)).rows[0]!.t;
  if (!exists) return new Map();
  const rows = (await q.query<{ version: number; name: string; applied_at: string }>(`SELECT version, name, applied_at FROM ${TABLE}`)).rows;
  return new Map(rows.map((r) => [r.version, r]));
}

/** Known migrations in the order they apply, then applied ones this Sito does not know (a newer Sito's). */
function states(done: Map<number, { name: string; applied_at: string }>): MigrationState[] {
  const out: MigrationState[] = POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: done.get(m.version)?.applied_at ?? null }));
  const unknown = [...done].filter(([version]) => !POSTGRES_MIGRATIONS.some((m) => m.version === version)).sort((a, b) => a[0] - b[0]);
  for (const [version, r] of unknown) out.push({ version, name: r.name, applied_at: r.applied_at });
  return out;
}

/**
 * Applies the pending migrations, in list order, in one transaction (PostgreSQL's DDL is
 * transactional: a failing migration leaves the schema as it was), under an advisory lock (several
 * instances starting together: one migrates, the others wait and find nothing left).
 * A database migrated by a newer Sito is refused. Returns the migrations applied now.
 */
export async function migrate(pool: pg.Pool, where: string): Promise<MigrationState[]> {
  const known = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
  return lockedTransaction(pool, MIGRATION_LOCK, async (c) => {
    await c.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const done = await applied(c);
    const newest = Math.max(0, ...done.keys());
    if (newest > known) throw new Error(`${where} has schema version ${newest}, newer than this Sito knows (${known}); upgrade Sito`);
    const now: MigrationState[] = [];
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query(m.sql);
      const at = new Date().toISOString();
      await c.query(`INSERT INTO ${TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, at]);
      now.push({ version: m.version, name: m.name, applied_at: at });
    }
    return now;
  });
}

/** `sito migrate status|up` on PostgreSQL. */
export class PostgresMigrator implements Migrator {
  readonly kind = 'postgres' as const;
  readonly where: string;
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.where = `database ${redactUrl(url)}`;
    this.pool = openPool(url, 1);
  }

  async status(): Promise<MigrationState[]> {
    return states(await applied(this.pool));
  }

  async up(): Promise<MigrationState[]> {
    return migrate(this.pool, this.where);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
