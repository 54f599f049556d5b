import pg from 'pg';

/** What a query runs on: the pool (one statement, auto-committed) or the client holding a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/** bigint (COUNT(*), BIGSERIAL keys) as a JS number: Sito's counts and sequences stay far below 2^53. */
export const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

/** A URL fit for messages: the password is never shown. */
export const redactUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:…@');

export const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//.test(url);

export function openPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, types: int8AsNumber });
  // an idle client's error (the server restarted) must not crash the process: the next query reconnects
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Advisory-lock keys of the office store (pg_advisory_xact_lock(class, key)); the clearinghouse,
 * which may share the database, uses classes 0x5174c and 0x5174d.
 */
export const LOCK_CLASS = 0x5170;
/** Every write transaction of the office takes it: writers serialise as under SQLite's BEGIN IMMEDIATE. */
export const WRITE_LOCK = 1;
/** Migrations, applied by one instance while the others wait. */
export const MIGRATION_LOCK = 2;

/**
 * The client of a transaction as `fn` sees it: once the transaction has ended (its client back in
 * the pool, maybe serving another transaction), using it throws instead of running outside it.
 */
export function whileOpen<C extends object>(c: C): { client: C; end: () => void } {
  let ended = false;
  const client = new Proxy(c, {
    get(target, prop) {
      if (ended) throw new Error('this transaction has ended: use the store, not the transaction, after writeTransaction returns');
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { client, end: () => (ended = true) };
}

/**
 * Runs `fn` in a transaction on one pooled client: `begin` opens it, COMMIT ends it, anything
 * thrown rolls it back; `fn`'s client refuses work once the transaction has ended.
 */
export async function pooledTransaction<T>(pool: pg.Pool, begin: (c: pg.PoolClient) => Promise<unknown>, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  const open = whileOpen(c);
  try {
    await begin(c);
    const out = await fn(open.client);
    open.end();
    await c.query('COMMIT');
    return out;
  } catch (e) {
    open.end();
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** Runs `fn` in a transaction on one pooled client, holding the office's write lock until COMMIT. */
export function lockedTransaction<T>(pool: pg.Pool, lock: number, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return pooledTransaction(
    pool,
    async (c) => {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, lock]);
    },
    fn,
  );
}

/** Builds a parameter list as a query is written: `p(value)` returns its placeholder ($1, $2…). */
export function params(): { values: unknown[]; p: (v: unknown) => string } {
  const values: unknown[] = [];
  return { values, p: (v) => (values.push(v), `$${values.length}`) };
}
