import pg from 'pg';
import { bandKeys, SCHEME, signatureFromBuffer, signatureToBuffer } from '../signals/fingerprint/minhash.js';
import { CANDIDATES, CANDIDATES_SQL, INDEXED_PER_CLUSTER, MAX_PER_KEY, PER_CLUSTER, verifiedClusters, type ClusterCandidate } from './clusters.js';
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

/**
 * Candidates of many reports at once: (report index, band key) pairs in, the CANDIDATES_SQL choice
 * per report out (index, report). The LSH rows come through the key index first (measured: joined
 * directly, PostgreSQL hashed the whole LSH table, 380 ms a batch at 450 000 rows).
 */
const BATCH_HITS_SQL = `
  WITH l AS MATERIALIZED (SELECT key, report, cluster FROM ch_lsh WHERE key = ANY($2::bigint[])),
  k AS (SELECT * FROM unnest($1::int[], $2::bigint[]) AS k(idx, key)),
  h AS (SELECT k.idx, l.report, l.cluster, COUNT(*) AS hits FROM k JOIN l ON l.key = k.key GROUP BY k.idx, l.report, l.cluster),
  p AS (SELECT idx, report, hits, ROW_NUMBER() OVER (PARTITION BY idx, cluster ORDER BY hits DESC, report) AS rc FROM h),
  q AS (SELECT idx, report, ROW_NUMBER() OVER (PARTITION BY idx ORDER BY hits DESC, report) AS rt FROM p WHERE rc <= ${PER_CLUSTER})
  SELECT idx, report FROM q WHERE rt <= ${CANDIDATES}`;

const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

/** The clearinghouse on PostgreSQL: several clearinghouse processes, on several machines, serve one region from one database. */
export class PostgresClearinghouseStore implements ClearinghouseStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /**
   * Fresh tables have no statistics, and PostgreSQL then plans `key = ANY(85 keys)` as a scan of
   * the whole LSH table (measured: 13 ms instead of 0.4 ms at 58 000 rows). Autovacuum analyses
   * within a minute or so; until then this process analyses when its inserts have doubled.
   */
  private inserted = 0;
  private analyseAt = 256;

  static async open(url: string, poolSize = 4): Promise<PostgresClearinghouseStore> {
    const store = new PostgresClearinghouseStore(new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0, types: int8AsNumber }));
    try {
      await store.migrate();
      await store.pool.query('ANALYZE ch_clusters, ch_reports, ch_cluster_offices, ch_lsh');
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
      await c.query('CREATE TABLE IF NOT EXISTS ch_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM ch_schema_migrations')).rows.map((r) => r.version));
      for (const m of CLEARINGHOUSE_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.postgres);
        await c.query('INSERT INTO ch_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      }
      await c.query("INSERT INTO ch_meta (key, value) VALUES ('fingerprint_scheme', $1) ON CONFLICT (key) DO NOTHING", [SCHEME]);
      const stored = (await c.query<{ value: string }>("SELECT value FROM ch_meta WHERE key = 'fingerprint_scheme'")).rows[0]!.value;
      if (stored !== SCHEME) throw new Error(`it holds fingerprints of scheme ${stored}, this Sito computes ${SCHEME}`);
    });
  }

  private async candidates(c: pg.ClientBase | pg.Pool, keys: number[]): Promise<ClusterCandidate[]> {
    const rows = (await c.query<{ cluster: number; signature: Buffer; shingles: number }>(CANDIDATES_SQL('key = ANY($1::bigint[])'), [keys])).rows;
    return rows.map((r) => ({ cluster: r.cluster, signature: signatureFromBuffer(r.signature), shingles: r.shingles }));
  }

  /**
   * A batch in a constant number of round trips (a loaded database server makes each one costly):
   * lock, look up duplicates, fetch every report's candidates in one query, assign clusters here
   * (against the stored candidates and the batch's earlier reports), then write clusters,
   * reports, offices and band keys with one statement each.
   */
  async addReports(office: string, reports: readonly IncomingReport[]): Promise<ReportBatchAnswer> {
    const keyed = reports.map((r) => ({ r, keys: bandKeys(r.fingerprint.signature) }));
    const buckets = [...new Set(keyed.flatMap((k) => k.keys.map((key) => key % LOCK_BUCKETS)))].sort((a, b) => a - b);
    const now = new Date().toISOString();
    return this.tx(async (c) => {
      // a batch's candidate query sorts tens of thousands of rows: keep it in memory (measured: it spilled to disk at the default 4 MB)
      await c.query("SET LOCAL work_mem = '64MB'");
      await c.query('SELECT pg_advisory_xact_lock($1, b) FROM unnest($2::int[]) AS b', [LOCK_CLASS, buckets]);
      const known = new Map(
        (await c.query<{ id: string; office: string }>('SELECT id, office FROM ch_reports WHERE id = ANY($1::text[])', [reports.map((r) => r.id)])).rows.map((x) => [x.id, x.office]),
      );
      const answer: ReportBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
      const fresh: typeof keyed = [];
      for (const k of keyed) {
        const owner = known.get(k.r.id);
        if (owner === undefined) {
          known.set(k.r.id, office);
          fresh.push(k);
        } else if (owner === office) answer.duplicates++;
        else answer.rejected.push({ id: k.r.id, problem: 'this report id is already used' });
      }
      if (!fresh.length) return answer;

      // every fresh report's stored candidates, in one query
      const stored = new Map<number, ClusterCandidate[]>();
      const sizes = new Map<number, number>();
      const hits = (await c.query<{ idx: number; report: number }>(BATCH_HITS_SQL, [fresh.flatMap((k, i) => k.keys.map(() => i)), fresh.flatMap((k) => k.keys)])).rows;
      const members = new Map(
        (
          await c.query<{ seq: number; cluster: number; signature: Buffer; shingles: number; size: number }>(
            'SELECT r.seq, r.cluster, r.signature, r.shingles, c.reports AS size FROM ch_reports r JOIN ch_clusters c ON c.id = r.cluster WHERE r.seq = ANY($1::bigint[])',
            [[...new Set(hits.map((h) => h.report))]],
          )
        ).rows.map((m) => [m.seq, { cluster: m.cluster, signature: signatureFromBuffer(m.signature), shingles: m.shingles, size: m.size }]),
      );
      for (const h of hits) {
        const m = members.get(h.report);
        if (!m) continue;
        const list = stored.get(h.idx) ?? [];
        list.push(m);
        stored.set(h.idx, list);
        sizes.set(m.cluster, m.size);
      }

      // clusters: existing ids, or new ones numbered -1, -2, … until they get ids
      const inBatch = new Map<number, number[]>();
      const assigned: number[] = [];
      const newClusters: Array<{ firstSeen: string; reports: number }> = [];
      const grown = new Map<number, { n: number; day: string }>();
      const indexed: boolean[] = [];
      fresh.forEach(({ r, keys }, i) => {
        const earlier = new Set<number>();
        for (const key of keys) for (const j of inBatch.get(key) ?? []) earlier.add(j);
        const candidates = [...(stored.get(i) ?? []), ...[...earlier].map((j) => ({ cluster: assigned[j]!, signature: fresh[j]!.r.fingerprint.signature, shingles: fresh[j]!.r.fingerprint.shingles }))];
        const [joined] = verifiedClusters(r.fingerprint, candidates);
        let cluster: number;
        let size: number;
        if (joined === undefined) {
          newClusters.push({ firstSeen: r.receivedDay, reports: 1 });
          cluster = -newClusters.length;
          size = 1;
        } else if (joined < 0) {
          const nc = newClusters[-joined - 1]!;
          nc.reports++;
          if (r.receivedDay < nc.firstSeen) nc.firstSeen = r.receivedDay;
          cluster = joined;
          size = nc.reports;
        } else {
          const g = grown.get(joined) ?? { n: 0, day: r.receivedDay };
          g.n++;
          if (r.receivedDay < g.day) g.day = r.receivedDay;
          grown.set(joined, g);
          cluster = joined;
          size = (sizes.get(joined) ?? INDEXED_PER_CLUSTER) + g.n;
        }
        assigned.push(cluster);
        indexed.push(size <= INDEXED_PER_CLUSTER);
        for (const key of keys) {
          const list = inBatch.get(key) ?? [];
          list.push(i);
          inBatch.set(key, list);
        }
      });

      // ids for the new clusters and the reports, then one statement per table
      const ids = newClusters.length
        ? (await c.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('ch_clusters', 'id')) AS id FROM generate_series(1, $1)", [newClusters.length])).rows.map((x) => x.id)
        : [];
      const clusterOf = (x: number) => (x < 0 ? ids[-x - 1]! : x);
      const seqs = (await c.query<{ seq: number }>("SELECT nextval(pg_get_serial_sequence('ch_reports', 'seq')) AS seq FROM generate_series(1, $1)", [fresh.length])).rows.map((x) => x.seq);
      if (newClusters.length) {
        await c.query('INSERT INTO ch_clusters (id, first_seen, reports, indexed) SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[])', [
          ids,
          newClusters.map((x) => x.firstSeen),
          newClusters.map((x) => x.reports),
          newClusters.map((x) => Math.min(x.reports, INDEXED_PER_CLUSTER)),
        ]);
      }
      if (grown.size) {
        await c.query(
          `UPDATE ch_clusters c SET reports = c.reports + u.n, indexed = LEAST(c.reports + u.n, $4), first_seen = LEAST(c.first_seen, u.day)
           FROM unnest($1::bigint[], $2::int[], $3::text[]) AS u(id, n, day) WHERE c.id = u.id`,
          [[...grown.keys()], [...grown.values()].map((g) => g.n), [...grown.values()].map((g) => g.day), INDEXED_PER_CLUSTER],
        );
      }
      await c.query(
        `INSERT INTO ch_reports (seq, id, office, cluster, received_day, mark, marked_at, signature, shingles, reported_at)
         SELECT u.seq, u.id, $3, u.cluster, u.day, u.mark, CASE WHEN u.mark IS NULL THEN NULL ELSE $9 END, u.signature, u.shingles, $9
         FROM unnest($1::bigint[], $2::text[], $4::bigint[], $5::text[], $6::text[], $7::bytea[], $8::int[]) AS u(seq, id, cluster, day, mark, signature, shingles)`,
        [
          seqs,
          fresh.map((k) => k.r.id),
          office,
          assigned.map(clusterOf),
          fresh.map((k) => k.r.receivedDay),
          fresh.map((k) => k.r.mark),
          fresh.map((k) => signatureToBuffer(k.r.fingerprint.signature)),
          fresh.map((k) => k.r.fingerprint.shingles),
          now,
        ],
      );
      const perCluster = new Map<number, { n: number; day: string; mark: Mark }>();
      fresh.forEach(({ r }, i) => {
        const id = clusterOf(assigned[i]!);
        const o = perCluster.get(id) ?? { n: 0, day: r.receivedDay, mark: null };
        o.n++;
        if (r.receivedDay < o.day) o.day = r.receivedDay;
        if (r.mark) o.mark = r.mark;
        perCluster.set(id, o);
      });
      await c.query(
        `INSERT INTO ch_cluster_offices (cluster, office, first_seen, mark, reports)
         SELECT u.cluster, $2, u.day, u.mark, u.n FROM unnest($1::bigint[], $3::text[], $4::text[], $5::int[]) AS u(cluster, day, mark, n)
         ON CONFLICT (cluster, office) DO UPDATE SET reports = ch_cluster_offices.reports + excluded.reports,
           first_seen = LEAST(ch_cluster_offices.first_seen, excluded.first_seen), mark = COALESCE(excluded.mark, ch_cluster_offices.mark)`,
        [[...perCluster.keys()], office, [...perCluster.values()].map((o) => o.day), [...perCluster.values()].map((o) => o.mark), [...perCluster.values()].map((o) => o.n)],
      );
      const lsh = new Map<string, [number, number, number]>();
      fresh.forEach(({ keys }, i) => {
        if (!indexed[i]) return;
        const cluster = clusterOf(assigned[i]!);
        for (const key of keys) if (!lsh.has(`${key}:${cluster}`)) lsh.set(`${key}:${cluster}`, [key, cluster, seqs[i]!]);
      });
      if (lsh.size) {
        const rowsL = [...lsh.values()];
        const keysL = rowsL.map((x) => x[0]);
        await c.query(
          `INSERT INTO ch_lsh (key, cluster, report) SELECT u.key, u.cluster, u.report FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(key, cluster, report)
           WHERE NOT EXISTS (SELECT 1 FROM ch_stop_keys s WHERE s.key = u.key) ON CONFLICT DO NOTHING`,
          [keysL, rowsL.map((x) => x[1]), rowsL.map((x) => x[2])],
        );
        // keys that now reach MAX_PER_KEY clusters become stop keys (one statement)
        await c.query(
          `WITH s AS (
             INSERT INTO ch_stop_keys (key) SELECT key FROM ch_lsh WHERE key = ANY($1::bigint[]) GROUP BY key HAVING COUNT(*) >= $2
             ON CONFLICT DO NOTHING RETURNING key
           ) DELETE FROM ch_lsh WHERE key IN (SELECT key FROM s)`,
          [[...new Set(keysL)], MAX_PER_KEY],
        );
      }
      answer.accepted += fresh.length;
      return answer;
    }).then(async (answer) => {
      this.inserted += answer.accepted;
      if (this.inserted >= this.analyseAt) {
        this.analyseAt = this.inserted * 2;
        await this.pool.query('ANALYZE ch_clusters, ch_reports, ch_cluster_offices, ch_lsh');
      }
      return answer;
    });
  }

  async setMark(office: string, reportId: string, mark: Mark): Promise<boolean> {
    return this.tx(async (c) => {
      const row = (await c.query<{ cluster: number }>('UPDATE ch_reports SET mark = $3, marked_at = $4 WHERE id = $1 AND office = $2 RETURNING cluster', [reportId, office, mark, new Date().toISOString()])).rows[0];
      if (!row) return false;
      await c.query(
        `UPDATE ch_cluster_offices SET mark = (SELECT mark FROM ch_reports WHERE cluster = $1 AND office = $2 AND mark IS NOT NULL ORDER BY marked_at DESC, seq DESC LIMIT 1)
         WHERE cluster = $1 AND office = $2`,
        [row.cluster, office],
      );
      return true;
    });
  }

  async ownReport(office: string, reportId: string): Promise<OwnReport | null> {
    return (await this.pool.query<OwnReport>('SELECT id, received_day, mark FROM ch_reports WHERE id = $1 AND office = $2', [reportId, office])).rows[0] ?? null;
  }

  async lookup(office: string, fp: KeyedFingerprint): Promise<LookupAnswer> {
    const clusters = verifiedClusters(fp, await this.candidates(this.pool, bandKeys(fp.signature)));
    if (!clusters.length) return { offices: 0, first_seen: null, marks: { mass: 0, regular: 0 } };
    const row = (
      await this.pool.query<{ offices: number; first_seen: string | null; mass: number; regular: number }>(
        `SELECT COUNT(*) AS offices, MIN(f) AS first_seen, COUNT(*) FILTER (WHERE m) AS mass, COUNT(*) FILTER (WHERE g) AS regular FROM (
           SELECT office, MIN(first_seen) AS f, bool_or(mark = 'mass') AS m, bool_or(mark = 'regular') AS g FROM ch_cluster_offices
           WHERE cluster = ANY($1::bigint[]) AND office <> $2 GROUP BY office) x`,
        [clusters, office],
      )
    ).rows[0]!;
    return { offices: row.offices, first_seen: row.first_seen, marks: { mass: row.mass, regular: row.regular } };
  }

  async stats() {
    const row = (
      await this.pool.query<{ reports: number; clusters: number; offices: number }>(
        'SELECT (SELECT COUNT(*) FROM ch_reports) AS reports, (SELECT COUNT(*) FROM ch_clusters) AS clusters, (SELECT COUNT(DISTINCT office) FROM ch_reports) AS offices',
      )
    ).rows[0]!;
    return row;
  }

  async close() {
    await this.pool.end();
  }
}
