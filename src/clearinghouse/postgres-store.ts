import pg from 'pg';
import { bandKeys, bandOf, SCHEME, signatureToBuffer, type Fingerprint } from '../signals/fingerprint/minhash.js';
import { FIRST_BANDS, FullClusterRows, FullClusters, INDEXED_PER_CLUSTER, MAX_PER_KEY, MemberCache, moreMembersWanted, newMembers, rankCandidates, verifiedClusters, type ClusterCandidate } from './clusters.js';
import type { KeyedFingerprint } from './keyed-fingerprint.js';
import type { LookupAnswer, Mark, ReportBatchAnswer } from './protocol.js';
import { CLEARINGHOUSE_MIGRATIONS } from './schema.js';
import type { ClearinghouseStore, IncomingReport, OwnReport } from './store.js';

/** Advisory-lock class of the clearinghouse's band keys (pg_advisory_xact_lock(int, int)). */
const LOCK_CLASS = 0x5174c;
/**
 * Cluster assignment is race-free across processes: a transaction that may start a cluster or
 * write band keys first takes the advisory locks of those reports' band keys, in ascending order
 * (no deadlocks), and only then reads the index. Two near-duplicates share at least one band key —
 * the one that made them candidates of each other — so they never create two clusters side by
 * side, while unrelated texts take different locks and are stored side by side.
 *
 * A lock names the band key itself (its 32-bit hash mixed with its band: two keys share a lock
 * about once in 4 billion). Locks once named key mod 1 024: a batch of new texts then took nearly
 * every bucket, so every batch waited for every other (measured: 139 ms a batch waiting for its
 * locks, most of the database's time while reporting). PostgreSQL's lock table is shared and
 * sized max_locks_per_transaction × max_connections (6 400 by default), so such reports are stored
 * LOCKED_PER_TX at a time, each group its own transaction: at most 680 locks a transaction, 2 720
 * for a process's four connections (groups of 4 made 1 533 reports/s at 200 000, groups of 8
 * 1 727/s, one run each).
 *
 * Reports that join a cluster whose first INDEXED_PER_CLUSTER members are already in — the bulk of
 * a campaign's copies — write no band key and start no cluster: they go in a first transaction
 * that takes no advisory lock (joining a committed cluster is safe whatever runs beside it; cluster
 * rows are locked in id order). Only the rest (a new text, a campaign's first copies) is
 * serialised by the band-key locks.
 */
const LOCKED_PER_TX = 8;
const lockOf = (key: number) => (key % 0x1_0000_0000 ^ Math.imul(bandOf(key), 0x9e3779b1)) | 0;
/** A transaction that meets a deadlock or a unique violation (see tx) is run this often in all. */
const RETRIES = 3;

const EMPTY = Buffer.alloc(0);

/** What one office's batch brought to a cluster: reports, its earliest day, whether the office is new to it. */
interface OfficeInCluster {
  n: number;
  day: string;
  joined: boolean;
}

const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The statements of the report and look-up paths run as named (prepared) statements: each
 * connection parses and plans one once, not at every call (ANALYZE makes PostgreSQL plan it again).
 */
const statementNames = new Map<string, string>();
const prepared = (text: string) => {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `ch_${statementNames.size}`));
  return { name, text };
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
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(c);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        // deadlock_detected: two batches locked rows in another order; unique_violation: a row another
        // transaction committed meanwhile (the same report id sent twice at once; an index row the
        // band-key locks should have kept out, so no ON CONFLICT check is paid on every row).
        // Nothing was written: run again, reading afresh
        const code = (e as { code?: string }).code;
        if ((code === '40P01' || code === '23505') && attempt < RETRIES) continue;
        throw e;
      } finally {
        c.release();
      }
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

  private readonly members = new MemberCache();
  /** Clusters known to be full; a cluster id is committed before any process can read it, and a rolled-back one is never reused (sequences). */
  private readonly full = new FullClusters();
  private readonly fullRows = new FullClusterRows();

  /** The LSH rows of these band keys, by key. */
  private async lshRows(c: pg.ClientBase | pg.Pool, keys: number[]): Promise<Map<number, Array<[number, number]>>> {
    const res = await c.query<[number, number, number]>({ ...prepared('SELECT key, cluster, report FROM ch_lsh WHERE key = ANY($1::bigint[])'), values: [keys], rowMode: 'array' });
    const byKey = new Map<number, Array<[number, number]>>();
    for (const [key, cluster, report] of res.rows) {
      const list = byKey.get(key);
      if (list) list.push([cluster, report]);
      else byKey.set(key, [[cluster, report]]);
    }
    return byKey;
  }

  /** The candidates of each signature (by its band keys), signatures from the cache or one query for the rest. */
  private async candidatesOf(c: pg.ClientBase | pg.Pool, keyLists: number[][], rows: Map<number, Array<[number, number]>>): Promise<ClusterCandidate[][]> {
    return this.candidatesFromRows(
      c,
      keyLists.map((keys) => {
        const clusters: number[] = [];
        const reports: number[] = [];
        for (const key of keys) for (const [cluster, report] of rows.get(key) ?? []) clusters.push(cluster), reports.push(report);
        return { clusters, reports };
      }),
    );
  }

  /** The candidates chosen from each signature's LSH rows, with their signatures. */
  private async candidatesFromRows(c: pg.ClientBase | pg.Pool, lists: Array<{ clusters: number[]; reports: number[] }>): Promise<ClusterCandidate[][]> {
    const chosen = lists.map((l) => rankCandidates(l.clusters, l.reports));
    const missing = [...new Set(chosen.flat())].filter((seq) => this.members.get(seq) === undefined);
    if (missing.length) {
      const found = await c.query<[number, number, Buffer, number]>({ ...prepared('SELECT seq, cluster, signature, shingles FROM ch_reports WHERE seq = ANY($1::bigint[])'), values: [missing], rowMode: 'array' });
      for (const [seq, cluster, signature, shingles] of found.rows) if (signature.length) this.members.fromRow(seq, cluster, signature, shingles);
    }
    return chosen.map((list) => list.map((seq) => this.members.get(seq)).filter((m): m is ClusterCandidate => m !== undefined));
  }

  /**
   * Cluster rows locked in id order (two batches growing the same campaigns never deadlock), then
   * grown. NO KEY UPDATE: the reports just inserted hold KEY SHARE locks on these rows (their
   * foreign key), which a plain FOR UPDATE would wait for, batch against batch.
   *
   * A batch is one office's, so each cluster grows by one office at most (joined: the office had no
   * row in it before this batch), and the cluster's first office and the earliest day of any other
   * office (second_seen) follow from that office's earliest day in the batch: days only ever move
   * earlier (LEAST), so when the office becomes the earliest, the former first day is the other
   * offices' earliest; otherwise the office's day may lower second_seen.
   */
  private async growClusters(c: pg.ClientBase, office: string, grown: ReadonlyMap<number, OfficeInCluster>): Promise<void> {
    if (!grown.size) return;
    const ids = [...grown.keys()].sort((a, b) => a - b);
    await c.query({
      ...prepared(`WITH l AS MATERIALIZED (SELECT id FROM ch_clusters WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE)
             UPDATE ch_clusters c SET reports = c.reports + u.n, indexed = LEAST(c.reports + u.n, $4), first_seen = LEAST(c.first_seen, u.day),
               offices = c.offices + u.joined,
               first_office = CASE WHEN c.first_office = $5 OR u.day >= c.first_seen THEN c.first_office ELSE $5 END,
               second_seen = CASE WHEN c.first_office = $5 THEN c.second_seen WHEN u.day < c.first_seen THEN c.first_seen ELSE LEAST(c.second_seen, u.day) END
             FROM unnest($1::bigint[], $2::int[], $3::text[], $6::int[]) AS u(id, n, day, joined) WHERE c.id = u.id AND c.id IN (SELECT id FROM l)`),
      values: [ids, ids.map((id) => grown.get(id)!.n), ids.map((id) => grown.get(id)!.day), INDEXED_PER_CLUSTER, office, ids.map((id) => (grown.get(id)!.joined ? 1 : 0))],
    });
  }

  /** Stores the reports and their office's row in each cluster; gives, per cluster, what the batch brought to it. */
  private async writeReports(c: pg.ClientBase, office: string, now: string, rows: Array<{ r: IncomingReport; seq: number; cluster: number; keep: boolean }>): Promise<Map<number, OfficeInCluster>> {
    await c.query({
      ...prepared(`INSERT INTO ch_reports (seq, id, office, cluster, received_day, mark, marked_at, signature, shingles, reported_at)
       SELECT u.seq, u.id, $3, u.cluster, u.day, u.mark, CASE WHEN u.mark IS NULL THEN NULL ELSE $9 END, u.signature, u.shingles, $9
       FROM unnest($1::bigint[], $2::text[], $4::bigint[], $5::text[], $6::text[], $7::bytea[], $8::int[]) AS u(seq, id, cluster, day, mark, signature, shingles)`),
      values: [
        rows.map((x) => x.seq),
        rows.map((x) => x.r.id),
        office,
        rows.map((x) => x.cluster),
        rows.map((x) => x.r.receivedDay),
        rows.map((x) => x.r.mark),
        // the signature is kept only for a cluster's indexed members, the only ones ever verified against
        rows.map((x) => (x.keep ? signatureToBuffer(x.r.fingerprint.signature) : EMPTY)),
        rows.map((x) => x.r.fingerprint.shingles),
        now,
      ],
    });
    const perCluster = new Map<number, OfficeInCluster & { mark: Mark }>();
    for (const { r, cluster } of rows) {
      const o = perCluster.get(cluster) ?? { n: 0, day: r.receivedDay, mark: null, joined: false };
      o.n++;
      if (r.receivedDay < o.day) o.day = r.receivedDay;
      if (r.mark) o.mark = r.mark;
      perCluster.set(cluster, o);
    }
    const ids = [...perCluster.keys()].sort((a, b) => a - b);
    // xmax = 0: the row was inserted, not updated (the office is new to the cluster)
    const written = await c.query<[number, boolean]>({
      ...prepared(`INSERT INTO ch_cluster_offices (cluster, office, first_seen, mark, reports)
       SELECT u.cluster, $2, u.day, u.mark, u.n FROM unnest($1::bigint[], $3::text[], $4::text[], $5::int[]) AS u(cluster, day, mark, n) ORDER BY u.cluster
       ON CONFLICT (cluster, office) DO UPDATE SET reports = ch_cluster_offices.reports + excluded.reports,
         first_seen = LEAST(ch_cluster_offices.first_seen, excluded.first_seen), mark = COALESCE(excluded.mark, ch_cluster_offices.mark)
       RETURNING cluster, xmax = 0`),
      values: [ids, office, ids.map((id) => perCluster.get(id)!.day), ids.map((id) => perCluster.get(id)!.mark), ids.map((id) => perCluster.get(id)!.n)],
      rowMode: 'array',
    });
    for (const [cluster, inserted] of written.rows) perCluster.get(cluster)!.joined = inserted;
    return perCluster;
  }

  /** Ids from a table's sequence (ch_clusters.id, ch_reports.seq), n at once. */
  private async nextIds(c: pg.ClientBase, table: 'ch_clusters' | 'ch_reports', n: number): Promise<number[]> {
    const column = table === 'ch_clusters' ? 'id' : 'seq';
    return (await c.query<[number]>({ ...prepared(`SELECT nextval(pg_get_serial_sequence('${table}', '${column}')) FROM generate_series(1, $1)`), values: [n], rowMode: 'array' })).rows.map((x) => x[0]);
  }

  /**
   * A batch in two transactions, each a constant number of round trips (a loaded database server
   * makes each one costly). First, without advisory locks: look up duplicates, fetch every
   * report's candidates, and store the reports that join a cluster already fully indexed. Then,
   * under the band-key locks, the rest: clusters assigned here (against the stored candidates and
   * the batch's earlier reports), clusters, reports, offices and band keys written with one
   * statement each. A retry after the first transaction finds its reports stored (duplicates).
   */
  async addReports(office: string, reports: readonly IncomingReport[]): Promise<ReportBatchAnswer> {
    const answer: ReportBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    const now = new Date().toISOString();
    const keyed = reports.map((r) => ({ r, keys: bandKeys(r.fingerprint.signature) }));
    const rest = await this.tx(async (c) => {
      // a transaction run again (a deadlock, a unique violation) counts afresh
      answer.accepted = answer.duplicates = 0;
      answer.rejected = [];
      const known = new Map(
        (await c.query<[string, string]>({ ...prepared('SELECT id, office FROM ch_reports WHERE id = ANY($1::text[])'), values: [reports.map((r) => r.id)], rowMode: 'array' })).rows,
      );
      const fresh: typeof keyed = [];
      for (const k of keyed) {
        const owner = known.get(k.r.id);
        if (owner === undefined) {
          known.set(k.r.id, office);
          fresh.push(k);
        } else if (owner === office) answer.duplicates++;
        else answer.rejected.push({ id: k.r.id, problem: 'this report id is already used' });
      }
      if (!fresh.length) return [];
      // copies of full clusters this process has met are found without reading the index
      // (FullClusterRows); the others by their first band keys alone (FIRST_BANDS); the rest read
      // every key under the locks
      // (the rows kept are those of first band keys: they come from the reads below)
      const firstKeys = fresh.map((k) => k.keys.slice(0, FIRST_BANDS));
      const met = await this.candidatesFromRows(c, firstKeys.map((keys) => this.fullRows.rows(keys)));
      const joined = fresh.map((k, i) => verifiedClusters(k.r.fingerprint, met[i]!)[0]);
      const probed = fresh.flatMap((_, i) => (joined[i] === undefined ? [i] : []));
      const first = probed.map((i) => firstKeys[i]!);
      const rows = first.length ? await this.lshRows(c, [...new Set(first.flat())]) : new Map<number, Array<[number, number]>>();
      const candidates = await this.candidatesOf(c, first, rows);
      probed.forEach((i, j) => (joined[i] = verifiedClusters(fresh[i]!.r.fingerprint, candidates[j]!)[0]));
      const unknown = [...new Set(joined.filter((x): x is number => x !== undefined && !this.full.has(x)))];
      if (unknown.length) {
        const found = await c.query<[number]>({ ...prepared('SELECT id FROM ch_clusters WHERE id = ANY($1::bigint[]) AND reports >= $2'), values: [unknown, INDEXED_PER_CLUSTER], rowMode: 'array' });
        for (const [id] of found.rows) this.full.add(id);
      }
      for (const [key, list] of rows) for (const [cluster, report] of list) if (this.full.has(cluster)) this.fullRows.add(key, cluster, report);
      const settled: Array<{ r: IncomingReport; cluster: number }> = [];
      const later: typeof keyed = [];
      fresh.forEach((k, i) => (joined[i] !== undefined && this.full.has(joined[i]) ? settled.push({ r: k.r, cluster: joined[i] }) : later.push(k)));
      if (settled.length) {
        const seqs = await this.nextIds(c, 'ch_reports', settled.length);
        const written = await this.writeReports(c, office, now, settled.map((x, i) => ({ ...x, seq: seqs[i]!, keep: false })));
        // last: a campaign's cluster row is locked from here to the commit only
        await this.growClusters(c, office, written);
        answer.accepted += settled.length;
      }
      return later;
    });
    // one after another: a later group finds an earlier one's texts committed
    for (let i = 0; i < rest.length; i += LOCKED_PER_TX) answer.accepted += await this.tx((c) => this.addLocked(c, office, now, rest.slice(i, i + LOCKED_PER_TX)));
    this.inserted += answer.accepted;
    if (this.inserted >= this.analyseAt) {
      this.analyseAt = this.inserted * 2;
      await this.pool.query('ANALYZE ch_clusters, ch_reports, ch_cluster_offices, ch_lsh');
    }
    return answer;
  }

  /** Reports that may start a cluster or write band keys, under the locks of their band keys. */
  private async addLocked(c: pg.ClientBase, office: string, now: string, fresh: Array<{ r: IncomingReport; keys: number[] }>): Promise<number> {
    // a stop key has no rows and never gets any, so it makes nobody a candidate: it needs no lock
    // (common wording shares such keys between thousands of unrelated texts)
    const keys = [...new Set(fresh.flatMap((k) => k.keys))];
    await c.query({
      ...prepared(`SELECT pg_advisory_xact_lock($1, u.l) FROM (SELECT DISTINCT l FROM unnest($2::bigint[], $3::int[]) AS k(key, l)
         WHERE NOT EXISTS (SELECT 1 FROM ch_stop_keys s WHERE s.key = k.key) ORDER BY l) u`),
      values: [LOCK_CLASS, keys, keys.map(lockOf)],
    });
    // read after the locks: every report that shares a band key with these is committed by now
    const rows = await this.lshRows(c, keys);
    const stored = await this.withMoreMembers(
      c,
      fresh.map((k) => k.r.fingerprint),
      await this.candidatesOf(c, fresh.map((k) => k.keys), rows),
      'insert',
    );
    const storedIds = [...new Set(stored.flat().map((m) => m.cluster))];
    const sizes = new Map(
      storedIds.length
        ? (await c.query<[number, number]>({ ...prepared('SELECT id, reports FROM ch_clusters WHERE id = ANY($1::bigint[])'), values: [storedIds], rowMode: 'array' })).rows
        : [],
    );

    // clusters: existing ids, or new ones numbered -1, -2, … until they get ids
    const inBatch = new Map<number, number[]>();
    const assigned: number[] = [];
    const newClusters: Array<{ firstSeen: string; reports: number }> = [];
    /** reports of this group joining each stored cluster */
    const grown = new Map<number, number>();
    const indexed: boolean[] = [];
    fresh.forEach(({ r, keys }, i) => {
      const earlier = new Set<number>();
      for (const key of keys) for (const j of inBatch.get(key) ?? []) earlier.add(j);
      const candidates = [...stored[i]!, ...[...earlier].map((j) => ({ cluster: assigned[j]!, signature: fresh[j]!.r.fingerprint.signature, shingles: fresh[j]!.r.fingerprint.shingles }))];
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
        grown.set(joined, (grown.get(joined) ?? 0) + 1);
        cluster = joined;
        size = (sizes.get(joined) ?? INDEXED_PER_CLUSTER) + grown.get(joined)!;
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
      ? await this.nextIds(c, 'ch_clusters', newClusters.length)
      : [];
    const clusterOf = (x: number) => (x < 0 ? ids[-x - 1]! : x);
    const seqs = await this.nextIds(c, 'ch_reports', fresh.length);
    if (newClusters.length) {
      await c.query({
        ...prepared(`INSERT INTO ch_clusters (id, first_seen, reports, indexed, offices, first_office)
          SELECT u.id, u.day, u.n, u.i, 1, $5 FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[]) AS u(id, day, n, i)`),
        values: [ids, newClusters.map((x) => x.firstSeen), newClusters.map((x) => x.reports), newClusters.map((x) => Math.min(x.reports, INDEXED_PER_CLUSTER)), office],
      });
    }
    const written = await this.writeReports(c, office, now, fresh.map(({ r }, i) => ({ r, seq: seqs[i]!, cluster: clusterOf(assigned[i]!), keep: indexed[i]! })));
    // band keys each indexed report brings to its cluster (a key once per cluster), and how many clusters each key reaches then
    const perKey = new Map<number, number>();
    const present = new Set<string>();
    for (const [key, list] of rows) {
      perKey.set(key, list.length);
      for (const [cluster] of list) present.add(`${key}:${cluster}`);
    }
    const lsh: Array<[number, number, number]> = [];
    fresh.forEach(({ keys }, i) => {
      if (!indexed[i]) return;
      const cluster = clusterOf(assigned[i]!);
      for (const key of keys) {
        if (present.has(`${key}:${cluster}`)) continue;
        present.add(`${key}:${cluster}`);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        lsh.push([key, cluster, seqs[i]!]);
      }
    });
    if (lsh.length) {
      await c.query({
        ...prepared(`INSERT INTO ch_lsh (key, cluster, report) SELECT u.key, u.cluster, u.report FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(key, cluster, report)
         WHERE NOT EXISTS (SELECT 1 FROM ch_stop_keys s WHERE s.key = u.key)`),
        values: [lsh.map((x) => x[0]), lsh.map((x) => x[1]), lsh.map((x) => x[2])],
      });
      // keys that now reach MAX_PER_KEY clusters become stop keys (the locks make the counts exact)
      const stop = [...new Set(lsh.map((x) => x[0]))].filter((key) => perKey.get(key)! >= MAX_PER_KEY);
      if (stop.length) {
        await c.query({ ...prepared('WITH s AS (INSERT INTO ch_stop_keys (key) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING) DELETE FROM ch_lsh WHERE key = ANY($1::bigint[])'), values: [stop] });
      }
    }
    // last: cluster rows are locked from here to the commit only
    // (the clusters created here already count this office)
    await this.growClusters(c, office, new Map([...written].filter(([id]) => grown.has(id))));
    return fresh.length;
  }

  async setMark(office: string, reportId: string, mark: Mark): Promise<boolean> {
    return this.tx(async (c) => {
      const row = (await c.query<{ cluster: number }>({ ...prepared('UPDATE ch_reports SET mark = $3, marked_at = $4 WHERE id = $1 AND office = $2 RETURNING cluster'), values: [reportId, office, mark, new Date().toISOString()] })).rows[0];
      if (!row) return false;
      await c.query({
        ...prepared(`UPDATE ch_cluster_offices SET mark = (SELECT mark FROM ch_reports WHERE cluster = $1 AND office = $2 AND mark IS NOT NULL ORDER BY marked_at DESC, seq DESC LIMIT 1)
         WHERE cluster = $1 AND office = $2`),
        values: [row.cluster, office],
      });
      return true;
    });
  }

  async ownReport(office: string, reportId: string): Promise<OwnReport | null> {
    return (await this.pool.query<OwnReport>({ ...prepared('SELECT id, received_day, mark FROM ch_reports WHERE id = $1 AND office = $2'), values: [reportId, office] })).rows[0] ?? null;
  }

  /**
   * Each list of candidates with more members of the texts that one member alone contains the
   * list's text of (moreMembersWanted): their first indexed members, one query for every list.
   */
  private async withMoreMembers(c: pg.ClientBase | pg.Pool, fps: readonly Fingerprint[], lists: ClusterCandidate[][], purpose: 'lookup' | 'insert'): Promise<ClusterCandidate[][]> {
    const wanted = lists.map((list, i) => moreMembersWanted(fps[i]!, list, purpose).wanted);
    const limits = new Map<number, number>();
    for (const w of wanted.flat()) limits.set(w.cluster, Math.max(limits.get(w.cluster) ?? 0, w.limit));
    if (!limits.size) return lists;
    const found = await c.query<[number, number, Buffer, number]>({
      ...prepared(`SELECT m.seq, m.cluster, m.signature, m.shingles FROM unnest($1::bigint[], $2::int[]) AS g (cluster, lim)
         CROSS JOIN LATERAL (SELECT seq, cluster, signature, shingles FROM ch_reports WHERE cluster = g.cluster AND length(signature) > 0 ORDER BY seq LIMIT g.lim) m`),
      values: [[...limits.keys()], [...limits.values()]],
      rowMode: 'array',
    });
    const read = found.rows.map(([seq, cluster, signature, shingles]) => this.members.fromRow(seq, cluster, signature, shingles));
    return lists.map((list, i) => (wanted[i]!.length ? [...list, ...newMembers(wanted[i]!, read)] : list));
  }

  async lookup(office: string, fp: KeyedFingerprint): Promise<LookupAnswer> {
    const keys = bandKeys(fp.signature);
    const [candidates] = await this.candidatesOf(this.pool, [keys], await this.lshRows(this.pool, keys));
    const clusters = verifiedClusters(fp, (await this.withMoreMembers(this.pool, [fp], [candidates!], 'lookup'))[0]!);
    if (!clusters.length) return { offices: 0, first_seen: null, marks: { mass: 0, regular: 0 } };
    const row = (
      await this.pool.query<{ offices: number; first_seen: string | null; mass: number; regular: number }>(
        clusters.length === 1
          ? // one text (nearly always): its row counts the offices; the asking office's own row, and the marked offices, are read alone
            {
              ...prepared(`SELECT c.offices - (SELECT COUNT(*) FROM ch_cluster_offices o WHERE o.cluster = c.id AND o.office = $2)::int AS offices,
                 CASE WHEN c.first_office = $2 THEN c.second_seen ELSE c.first_seen END AS first_seen,
                 (SELECT COUNT(*) FROM ch_cluster_offices m WHERE m.cluster = c.id AND m.mark = 'mass' AND m.office <> $2)::int AS mass,
                 (SELECT COUNT(*) FROM ch_cluster_offices m WHERE m.cluster = c.id AND m.mark = 'regular' AND m.office <> $2)::int AS regular
               FROM ch_clusters c WHERE c.id = $1`),
              values: [clusters[0], office],
            }
          : // several texts: an office that received more than one of them counts once
            {
              ...prepared(`SELECT COUNT(*) AS offices, MIN(f) AS first_seen, COUNT(*) FILTER (WHERE m) AS mass, COUNT(*) FILTER (WHERE g) AS regular FROM (
                 SELECT office, MIN(first_seen) AS f, bool_or(mark = 'mass') AS m, bool_or(mark = 'regular') AS g FROM ch_cluster_offices
                 WHERE cluster = ANY($1::bigint[]) AND office <> $2 GROUP BY office) x`),
              values: [clusters, office],
            },
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
