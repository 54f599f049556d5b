import pg from 'pg';
import { bandKeys, SCHEME, signatureFromBuffer, signatureToBuffer } from '../signals/fingerprint/minhash.js';
import { CANDIDATES_SQL, INDEXED_PER_CLUSTER, MAX_PER_KEY, verifiedClusters, type ClusterCandidate } from './clusters.js';
import type { KeyedFingerprint } from './keyed-fingerprint.js';
import type { LookupAnswer, Mark, ReportBatchAnswer } from './protocol.js';
import { CLEARINGHOUSE_MIGRATIONS } from './schema.js';
import type { ClearinghouseStore, IncomingReport, OwnReport } from './store.js';

/** Advisory-lock class of the clearinghouse's band-key buckets (pg_advisory_xact_lock(int, int)). */
const LOCK_CLASS = 0x5174c;
/**
 * Cluster assignment is race-free across processes: a batch's transaction first takes the
 * advisory locks of its reports' band keys, bucketed (key mod LOCK_BUCKETS), in ascending order
 * (no deadlocks). Two near-duplicates share at least one band key — the one that made them
 * candidates of each other — so they never create two clusters side by side. Buckets bound the
 * locks one transaction holds (PostgreSQL's lock table has ~64 slots per connection by default).
 */
const LOCK_BUCKETS = 1024;

const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

/** The clearinghouse on PostgreSQL: several clearinghouse processes, on several machines, serve one region from one database. */
export class PostgresClearinghouseStore implements ClearinghouseStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  static async open(url: string, poolSize = 4): Promise<PostgresClearinghouseStore> {
    const store = new PostgresClearinghouseStore(new pg.Pool({ connectionString: url, max: poolSize, types: int8AsNumber }));
    try {
      await store.migrate();
    } catch (e) {
      await store.close();
      throw new Error(`clearinghouse database ${url.replace(/\/\/[^@/]*@/, '//…@')}: ${(e as Error).message}`);
    }
    return store;
  }

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    // an idle client's error (the server restarted) must not crash the process
    this.pool.on('error', () => undefined);
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async migrate() {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS + 1]);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const m of CLEARINGHOUSE_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.postgres);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      }
      await c.query("INSERT INTO meta (key, value) VALUES ('fingerprint_scheme', $1) ON CONFLICT (key) DO NOTHING", [SCHEME]);
      const stored = (await c.query<{ value: string }>("SELECT value FROM meta WHERE key = 'fingerprint_scheme'")).rows[0]!.value;
      if (stored !== SCHEME) throw new Error(`it holds fingerprints of scheme ${stored}, this Sito computes ${SCHEME}`);
    });
  }

  private async candidates(c: pg.ClientBase | pg.Pool, keys: number[]): Promise<ClusterCandidate[]> {
    const rows = (await c.query<{ cluster: number; signature: Buffer; shingles: number }>(CANDIDATES_SQL('(SELECT unnest($1::bigint[]))'), [keys])).rows;
    return rows.map((r) => ({ cluster: r.cluster, signature: signatureFromBuffer(r.signature), shingles: r.shingles }));
  }

  async addReports(office: string, reports: readonly IncomingReport[]): Promise<ReportBatchAnswer> {
    const keyed = reports.map((r) => ({ r, keys: bandKeys(r.fingerprint.signature) }));
    const buckets = [...new Set(keyed.flatMap((k) => k.keys.map((key) => key % LOCK_BUCKETS)))].sort((a, b) => a - b);
    const now = new Date().toISOString();
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, b) FROM unnest($2::int[]) AS b', [LOCK_CLASS, buckets]);
      const known = new Map(
        (await c.query<{ id: string; office: string }>('SELECT id, office FROM reports WHERE id = ANY($1::text[])', [reports.map((r) => r.id)])).rows.map((x) => [x.id, x.office]),
      );
      const answer: ReportBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
      for (const { r, keys } of keyed) {
        const owner = known.get(r.id);
        if (owner !== undefined) {
          if (owner === office) answer.duplicates++;
          else answer.rejected.push({ id: r.id, problem: 'this report id is already used' });
          continue;
        }
        known.set(r.id, office);
        const [joined] = verifiedClusters(r.fingerprint, await this.candidates(c, keys));
        let cluster: number;
        let indexed: boolean;
        if (joined === undefined) {
          cluster = (await c.query<{ id: number }>('INSERT INTO clusters (first_seen, reports, indexed) VALUES ($1, 1, 1) RETURNING id', [r.receivedDay])).rows[0]!.id;
          indexed = true;
        } else {
          const row = (
            await c.query<{ reports: number }>(
              `UPDATE clusters SET reports = reports + 1, indexed = LEAST(reports + 1, $3), first_seen = LEAST(first_seen, $2) WHERE id = $1 RETURNING reports`,
              [joined, r.receivedDay, INDEXED_PER_CLUSTER],
            )
          ).rows[0]!;
          cluster = joined;
          indexed = row.reports <= INDEXED_PER_CLUSTER;
        }
        await c.query(
          `WITH r AS (
             INSERT INTO reports (id, office, cluster, received_day, mark, marked_at, signature, shingles, reported_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq
           ), o AS (
             INSERT INTO cluster_offices (cluster, office, first_seen, mark, reports) VALUES ($3, $2, $4, $5, 1)
             ON CONFLICT (cluster, office) DO UPDATE SET reports = cluster_offices.reports + 1,
               first_seen = LEAST(cluster_offices.first_seen, excluded.first_seen), mark = COALESCE(excluded.mark, cluster_offices.mark)
           )
           INSERT INTO lsh (key, report, cluster) SELECT k, (SELECT seq FROM r), $3 FROM unnest($10::bigint[]) AS k
             WHERE (SELECT COUNT(*) FROM lsh WHERE key = k) < $11 ON CONFLICT DO NOTHING`,
          [r.id, office, cluster, r.receivedDay, r.mark, r.mark ? now : null, signatureToBuffer(r.fingerprint.signature), r.fingerprint.shingles, now, indexed ? keys : [], MAX_PER_KEY],
        );
        answer.accepted++;
      }
      return answer;
    });
  }

  async setMark(office: string, reportId: string, mark: Mark): Promise<boolean> {
    return this.tx(async (c) => {
      const row = (await c.query<{ cluster: number }>('UPDATE reports SET mark = $3, marked_at = $4 WHERE id = $1 AND office = $2 RETURNING cluster', [reportId, office, mark, new Date().toISOString()])).rows[0];
      if (!row) return false;
      await c.query(
        `UPDATE cluster_offices SET mark = (SELECT mark FROM reports WHERE cluster = $1 AND office = $2 AND mark IS NOT NULL ORDER BY marked_at DESC, seq DESC LIMIT 1)
         WHERE cluster = $1 AND office = $2`,
        [row.cluster, office],
      );
      return true;
    });
  }

  async ownReport(office: string, reportId: string): Promise<OwnReport | null> {
    return (await this.pool.query<OwnReport>('SELECT id, received_day, mark FROM reports WHERE id = $1 AND office = $2', [reportId, office])).rows[0] ?? null;
  }

  async lookup(office: string, fp: KeyedFingerprint): Promise<LookupAnswer> {
    const clusters = verifiedClusters(fp, await this.candidates(this.pool, bandKeys(fp.signature)));
    if (!clusters.length) return { offices: 0, first_seen: null, marks: { mass: 0, regular: 0 } };
    const row = (
      await this.pool.query<{ offices: number; first_seen: string | null; mass: number; regular: number }>(
        `SELECT COUNT(*) AS offices, MIN(f) AS first_seen, COUNT(*) FILTER (WHERE m) AS mass, COUNT(*) FILTER (WHERE g) AS regular FROM (
           SELECT office, MIN(first_seen) AS f, bool_or(mark = 'mass') AS m, bool_or(mark = 'regular') AS g FROM cluster_offices
           WHERE cluster = ANY($1::bigint[]) AND office <> $2 GROUP BY office) x`,
        [clusters, office],
      )
    ).rows[0]!;
    return { offices: row.offices, first_seen: row.first_seen, marks: { mass: row.mass, regular: row.regular } };
  }

  async stats() {
    const row = (
      await this.pool.query<{ reports: number; clusters: number; offices: number }>(
        'SELECT (SELECT COUNT(*) FROM reports) AS reports, (SELECT COUNT(*) FROM clusters) AS clusters, (SELECT COUNT(DISTINCT office) FROM reports) AS offices',
      )
    ).rows[0]!;
    return row;
  }

  async close() {
    await this.pool.end();
  }
}
