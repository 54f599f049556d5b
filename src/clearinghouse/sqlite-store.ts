import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BANDS, bandKeys, SCHEME, signatureFromBuffer, signatureToBuffer } from '../signals/fingerprint/minhash.js';
import { FIRST_BANDS, FullClusters, INDEXED_PER_CLUSTER, MAX_PER_KEY, MemberCache, moreMembersWanted, newMembers, rankCandidates, verifiedClusters, type ClusterCandidate } from './clusters.js';
import type { KeyedFingerprint } from './keyed-fingerprint.js';
import type { LookupAnswer, Mark, ReportBatchAnswer } from './protocol.js';
import { CLEARINGHOUSE_MIGRATIONS } from './schema.js';
import type { ClearinghouseStore, IncomingReport, OwnReport } from './store.js';
import { preparedStatements } from '../storage/prepared.js';
import { applyMigrations } from '../storage/migrations.js';
import { retryWhileBusy } from '../storage/sqlite-busy.js';
import { startWalCheckpointer, type WalCheckpointer } from '../storage/wal-checkpointer.js';
import { LshBuffer, type SortedRows } from './index-buffer.js';

const params = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const LSH_SQL = new Map([FIRST_BANDS, BANDS - FIRST_BANDS, BANDS].map((n) => [n, `SELECT key, cluster, report FROM ch_lsh WHERE key IN (${params(n)})`]));
const EMPTY = Buffer.alloc(0);
/** SQLite's page cache of the clearinghouse's connection, in MB (SITO_CLEARINGHOUSE_CACHE_MB). */
export const DEFAULT_CACHE_MB = 256;
/** LSH rows kept in the process before they are merged into the index (LshBuffer): ~120 MB of memory. */
export const MERGE_ROWS = 1_000_000;
/**
 * A merge writes one chunk per event-loop turn, each its own transaction, so reports and look-ups
 * go on between them: at most this many rows, and no more than MERGE_SLICE_MS of work (with chunks
 * of 5 000 rows and no time limit, look-ups at a million reports stored had a p99 of 42 ms).
 */
export const MERGE_CHUNK = 5_000;
const MERGE_SLICE_MS = 4;

/** How the index's newest rows are buffered (tests make merges small and frequent). */
export interface IndexBufferOptions {
  mergeRows?: number;
  mergeChunk?: number;
}

interface LshRows {
  key: number[];
  cluster: number[];
  report: number[];
}

/** The clearinghouse's embedded store: SITO_DATA_DIR/clearinghouse.db (WAL). */
export class SqliteClearinghouseStore implements ClearinghouseStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;

  static open(dataDir: string, cacheMb = DEFAULT_CACHE_MB, buffer: IndexBufferOptions = {}): SqliteClearinghouseStore {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    return new SqliteClearinghouseStore(join(dir, 'clearinghouse.db'), cacheMb, buffer.mergeRows ?? MERGE_ROWS, buffer.mergeChunk ?? MERGE_CHUNK);
  }

  private constructor(
    path: string,
    cacheMb: number,
    private readonly mergeRows: number,
    private readonly mergeChunk: number,
  ) {
    this.path = path;
    this.db = new Database(path, { timeout: 5000 });
    retryWhileBusy(() => {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // the LSH index of a million reports is hundreds of MB, read and written at random: keep it in memory
      // (pages are allocated as they are read: a small clearinghouse uses little of it)
      this.db.pragma(`cache_size = ${-Math.round(cacheMb * 1024)}`);
      // checkpoints run on their own thread (startWalCheckpointer); the writer's own is the backstop
      // that lets the log start again once the thread has copied it
      this.db.pragma('wal_autocheckpoint = 8000');
      this.db.pragma('journal_size_limit = 67108864');
      this.migrate();
    });
    this.checkpointer = startWalCheckpointer(path, { onProblem: (m) => process.emitWarning(`clearinghouse checkpoint: ${m}`) });
  }

  private checkpointer: WalCheckpointer | null = null;

  private migrate() {
    applyMigrations(this.db, 'ch_schema_migrations', CLEARINGHOUSE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, sql: m.sqlite })), `clearinghouse database ${this.path}`);
    this.db.prepare("INSERT OR IGNORE INTO ch_meta (key, value) VALUES ('fingerprint_scheme', ?)").run(SCHEME);
    const stored = (this.db.prepare("SELECT value FROM ch_meta WHERE key = 'fingerprint_scheme'").get() as { value: string }).value;
    if (stored !== SCHEME) throw new Error(`clearinghouse database ${this.path} holds fingerprints of scheme ${stored}, this Sito computes ${SCHEME}`);
    // every report up to this one has its band keys in ch_lsh; later ones' may still be in a
    // process's buffer only (a database written before the buffer has all of them in the index)
    this.db.prepare("INSERT OR IGNORE INTO ch_meta (key, value) SELECT 'lsh_merged_seq', COALESCE(MAX(seq), 0) FROM ch_reports").run();
  }

  /**
   * The index's newest rows are held here and merged into ch_lsh in key order (LshBuffer). Nothing
   * is lost with the process: a report that brought band keys keeps its signature, so the rows of
   * every report after lsh_merged_seq are made again from ch_reports — on opening, after a failed
   * batch, and when another process writing the same file has merged. Reports other processes
   * store are read the same way before each write and each look-up (`refresh`), so every process
   * sees every text.
   */
  private readonly buffer = new LshBuffer();
  /** lsh_merged_seq as this process last read or wrote it */
  private merged = 0;
  /** the newest report whose rows are in the buffer or the index */
  private seen = 0;
  private stopKeys = new Set<number>();
  /** the buffer must be made again from the stored reports (on opening, after a failure) */
  private stale = true;
  /** a merge under way: the bands still to write, the rows of the one being written */
  private merging: { bands: number[]; rows: SortedRows; next: number; upTo: number } | null = null;

  private refresh() {
    const merged = Number((this.sql("SELECT value FROM ch_meta WHERE key = 'lsh_merged_seq'").get() as { value: string }).value);
    if (this.stale || merged > this.merged) {
      this.merging = null;
      this.merged = merged;
      this.buffer.clear();
      this.stopKeys = new Set(this.sql('SELECT key FROM ch_stop_keys').pluck(true).all() as number[]);
      this.seen = merged;
      this.stale = false;
    }
    const rows = this.sql('SELECT seq, cluster, signature FROM ch_reports WHERE seq > ? ORDER BY seq').raw(true).all(this.seen) as Array<[number, number, Buffer]>;
    for (const [seq, cluster, signature] of rows) {
      if (signature.length) for (const k of bandKeys(signatureFromBuffer(signature))) if (!this.stopKeys.has(k)) this.buffer.add(k, cluster, seq);
      this.seen = seq;
    }
  }

  /**
   * One step of the merge under way: sorts the next band's rows, or writes a chunk of them in key
   * order, or, all bands written, moves lsh_merged_seq. Says whether steps remain.
   */
  private mergeStep(): boolean {
    const m = this.merging;
    if (!m) return false;
    if (m.next >= m.rows.key.length) {
      const band = m.bands.shift();
      if (band !== undefined) {
        // rows added to this band since the merge began go with it: merged early, they are simply in the index
        m.rows = this.buffer.sortedBand(band);
        m.next = 0;
        return true;
      }
      return this.finishMerge(m.upTo);
    }
    const limit = Math.min(m.rows.key.length, m.next + this.mergeChunk);
    let end = m.next;
    // a key another process made a stop key since this one read them is left out too
    const insert = this.sql('INSERT OR IGNORE INTO ch_lsh (key, cluster, report) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ch_stop_keys WHERE key = ?)');
    try {
      this.db
        .transaction(() => {
          const deadline = performance.now() + MERGE_SLICE_MS;
          for (; end < limit; end++) {
            if ((end - m.next) % 64 === 63 && performance.now() > deadline) break;
            if (!this.stopKeys.has(m.rows.key[end]!)) insert.run(m.rows.key[end], m.rows.cluster[end], m.rows.report[end], m.rows.key[end]);
          }
        })
        .immediate();
    } catch (e) {
      return this.mergeFailed(e);
    }
    for (let i = m.next; i < end; i++) this.buffer.remove(m.rows.key[i]!, m.rows.cluster[i]!);
    m.next = end;
    return true;
  }

  private finishMerge(upTo: number): false {
    try {
      this.sql("UPDATE ch_meta SET value = ? WHERE key = 'lsh_merged_seq' AND CAST(value AS INTEGER) < ?").run(String(upTo), upTo);
    } catch (e) {
      return this.mergeFailed(e);
    }
    this.merged = Math.max(this.merged, upTo);
    this.merging = null;
    return false;
  }

  private mergeFailed(e: unknown): false {
    // the rows not written stay in the buffer; the next merge writes them
    this.merging = null;
    this.stale = true;
    process.emitWarning(`clearinghouse index merge: ${(e as Error).message}`);
    return false;
  }

  /** Merges the whole buffer, band by band: a step per event-loop turn, or all of it before returning (closing). */
  private merge(now: boolean) {
    const none = new Float64Array(0);
    this.merging = { bands: this.buffer.bandsHeld(), rows: { key: none, cluster: none, report: none }, next: 0, upTo: this.seen };
    if (now) while (this.mergeStep());
    else {
      const step = () => {
        if (this.db.open && this.mergeStep()) setImmediate(step);
      };
      setImmediate(step);
    }
  }

  private sql(text: string): Database.Statement {
    this.prepared ??= preparedStatements(this.db);
    return this.prepared(text);
  }

  private prepared: ((text: string) => Database.Statement) | undefined;

  private readonly members = new MemberCache();

  private readonly full = new FullClusters();

  /** The LSH rows of these band keys (all of them, the first FIRST_BANDS or the rest), as parallel arrays (raw rows: no object per row). */
  private lshRows(keys: number[], into: LshRows = { key: [], cluster: [], report: [] }): LshRows {
    const rows = this.sql(LSH_SQL.get(keys.length)!).raw(true).all(...keys) as Array<[number, number, number]>;
    for (const r of rows) {
      into.key.push(r[0]);
      into.cluster.push(r[1]);
      into.report.push(r[2]);
    }
    this.buffer.rows(keys, into);
    return into;
  }

  /** The full cluster this report joins, found by its first band keys alone (FIRST_BANDS), or undefined; the rows read are kept in `rows`. */
  private fullClusterByFirstBands(r: IncomingReport, keys: number[], rows: LshRows): number | undefined {
    this.lshRows(keys.slice(0, FIRST_BANDS), rows);
    const [best] = verifiedClusters(r.fingerprint, this.candidates(rows));
    if (best === undefined) return undefined;
    if (!this.full.has(best)) {
      const { reports } = this.sql('SELECT reports FROM ch_clusters WHERE id = ?').get(best) as { reports: number };
      if (reports < INDEXED_PER_CLUSTER) return undefined;
      this.full.add(best);
    }
    return best;
  }

  /** The chosen candidates' clusters and signatures: from the cache, else one query for the rest. */
  private candidates(rows: { cluster: number[]; report: number[] }): ClusterCandidate[] {
    const chosen = rankCandidates(rows.cluster, rows.report);
    const missing = chosen.filter((seq) => this.members.get(seq) === undefined);
    if (missing.length) {
      const found = this.sql('SELECT seq, cluster, signature, shingles FROM ch_reports WHERE seq IN (SELECT value FROM json_each(?))').raw(true).all(JSON.stringify(missing)) as Array<[number, number, Buffer, number]>;
      for (const [seq, cluster, signature, shingles] of found) if (signature.length) this.members.fromRow(seq, cluster, signature, shingles);
    }
    return chosen.map((seq) => this.members.get(seq)).filter((m): m is ClusterCandidate => m !== undefined);
  }

  /**
   * verifiedClusters of the candidates, and of more members of a text that one member alone
   * contains the text of (moreMembersWanted): its first indexed members, from the index of them.
   */
  private verified(fp: KeyedFingerprint, candidates: ClusterCandidate[], purpose: 'lookup' | 'insert'): number[] {
    const { clusters, wanted } = moreMembersWanted(fp, candidates, purpose);
    if (!wanted.length) return clusters;
    const read = wanted.flatMap(({ cluster, limit }) =>
      (this.sql('SELECT seq, signature, shingles FROM ch_reports WHERE cluster = ? AND length(signature) > 0 ORDER BY seq LIMIT ?').raw(true).all(cluster, limit) as Array<[number, Buffer, number]>).map(
        ([seq, signature, shingles]) => this.members.fromRow(seq, cluster, signature, shingles),
      ),
    );
    const more = newMembers(wanted, read);
    return more.length ? verifiedClusters(fp, [...candidates, ...more]) : clusters;
  }

  private insertOne(office: string, r: IncomingReport, now: string): void {
    const keys = bandKeys(r.fingerprint.signature);
    const rows: LshRows = { key: [], cluster: [], report: [] };
    const settled = this.fullClusterByFirstBands(r, keys, rows);
    if (settled === undefined) this.lshRows(keys.slice(FIRST_BANDS), rows);
    const joined = settled ?? this.verified(r.fingerprint, this.candidates(rows), 'insert')[0];
    let cluster: number;
    let indexed: boolean;
    if (joined === undefined) {
      cluster = Number(this.sql('INSERT INTO ch_clusters (first_seen, reports, indexed) VALUES (?, 1, 1)').run(r.receivedDay).lastInsertRowid);
      indexed = true;
    } else {
      cluster = joined;
      const row = this.sql(
        `UPDATE ch_clusters SET reports = reports + 1, indexed = MIN(reports + 1, @max),
           first_seen = CASE WHEN first_seen > @day THEN @day ELSE first_seen END WHERE id = @cluster RETURNING reports`,
      ).get({ cluster, day: r.receivedDay, max: INDEXED_PER_CLUSTER }) as { reports: number };
      indexed = row.reports <= INDEXED_PER_CLUSTER;
      if (row.reports >= INDEXED_PER_CLUSTER) this.full.add(cluster);
    }
    // band keys this report brings to its cluster's index, and how many clusters each key reaches then
    const perKey = new Map<number, number>();
    const ownKeys = new Set<number>();
    for (let i = 0; i < rows.key.length; i++) {
      perKey.set(rows.key[i]!, (perKey.get(rows.key[i]!) ?? 0) + 1);
      if (rows.cluster[i] === cluster) ownKeys.add(rows.key[i]!);
    }
    const brings = indexed ? [...new Set(keys)].filter((k) => !ownKeys.has(k)) : [];
    // the signature is kept only while the report can be a candidate (it brought band keys to the index): nothing else reads it
    const seq = Number(
      this.sql('INSERT INTO ch_reports (id, office, cluster, received_day, mark, marked_at, signature, shingles, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        r.id,
        office,
        cluster,
        r.receivedDay,
        r.mark,
        r.mark ? now : null,
        brings.length ? signatureToBuffer(r.fingerprint.signature) : EMPTY,
        r.fingerprint.shingles,
        now,
      ).lastInsertRowid,
    );
    this.seen = seq;
    if (brings.length) this.members.set(seq, { cluster, report: seq, signature: r.fingerprint.signature, shingles: r.fingerprint.shingles });
    this.sql(
      `INSERT INTO ch_cluster_offices (cluster, office, first_seen, mark, reports) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (cluster, office) DO UPDATE SET reports = reports + 1,
         first_seen = CASE WHEN first_seen > excluded.first_seen THEN excluded.first_seen ELSE first_seen END,
         mark = COALESCE(excluded.mark, mark)`,
    ).run(cluster, office, r.receivedDay, r.mark);
    if (!brings.length) return;
    let added = 0;
    for (const k of brings) if (!this.stopKeys.has(k) && this.buffer.add(k, cluster, seq)) added++;
    if (added === 0) return;
    // a key that now reaches MAX_PER_KEY clusters becomes a stop key (stop keys have no rows, so a key counted here is not one)
    const stop = brings.filter((k) => (perKey.get(k) ?? 0) + 1 >= MAX_PER_KEY);
    if (stop.length) {
      const json = JSON.stringify(stop);
      this.sql('INSERT OR IGNORE INTO ch_stop_keys (key) SELECT value FROM json_each(?)').run(json);
      this.sql('DELETE FROM ch_lsh WHERE key IN (SELECT value FROM json_each(?))').run(json);
      for (const k of stop) {
        this.stopKeys.add(k);
        this.buffer.dropKey(k);
      }
    }
  }

  /** Batches waiting for the next group commit (see addReports). */
  private waiting: Array<{ office: string; reports: readonly IncomingReport[]; done: (a: ReportBatchAnswer) => void; failed: (e: unknown) => void }> = [];

  /**
   * Batches that arrive together are stored in one write transaction (a group commit): each commit
   * writes every page it changed to the log, and batches of one moment share the hot pages (the
   * tail of the reports, the campaigns' clusters, the indexes' upper levels). Each batch is a
   * savepoint of its own, so one batch's failure leaves the others stored.
   */
  addReports(office: string, reports: readonly IncomingReport[]): Promise<ReportBatchAnswer> {
    return new Promise((done, failed) => {
      this.waiting.push({ office, reports, done, failed });
      if (this.waiting.length === 1) setImmediate(() => this.commitWaiting());
    });
  }

  private commitWaiting() {
    const group = this.waiting;
    this.waiting = [];
    // close() commits what waits, and the turn scheduled for it then finds nothing
    if (!group.length) return;
    const now = new Date().toISOString();
    const outcomes: Array<{ answer?: ReportBatchAnswer; error?: unknown }> = group.map(() => ({}));
    const one = this.db.transaction((office: string, reports: readonly IncomingReport[]) => this.storeBatch(office, reports, now));
    try {
      this.db
        .transaction(() => {
          this.refresh();
          group.forEach((g, i) => {
            try {
              outcomes[i]!.answer = one(g.office, g.reports);
            } catch (e) {
              // rolled back to its savepoint: cached members, full clusters and buffered rows it added may name rows that are not stored
              this.members.clear();
              this.full.clear();
              this.stale = true;
              this.refresh();
              outcomes[i] = { error: e };
            }
          });
        })
        .immediate();
    } catch (e) {
      this.members.clear();
      this.full.clear();
      this.stale = true;
      for (const g of group) g.failed(e);
      return;
    }
    if (!this.merging && this.buffer.size >= this.mergeRows) this.merge(false);
    group.forEach((g, i) => (outcomes[i]!.error !== undefined ? g.failed(outcomes[i]!.error) : g.done(outcomes[i]!.answer!)));
  }

  private storeBatch(office: string, reports: readonly IncomingReport[], now: string): ReportBatchAnswer {
    const answer: ReportBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    // which ids are stored already (retries), in one query
    const known = new Map(
      (this.sql('SELECT id, office FROM ch_reports WHERE id IN (SELECT value FROM json_each(?))').raw(true).all(JSON.stringify(reports.map((r) => r.id))) as Array<[string, string]>).map(
        ([id, owner]) => [id, owner],
      ),
    );
    for (const r of reports) {
      const owner = known.get(r.id);
      if (owner === office) answer.duplicates++;
      else if (owner !== undefined) answer.rejected.push({ id: r.id, problem: 'this report id is already used' });
      else {
        this.insertOne(office, r, now);
        known.set(r.id, office);
        answer.accepted++;
      }
    }
    return answer;
  }

  async setMark(office: string, reportId: string, mark: Mark): Promise<boolean> {
    return this.db
      .transaction(() => {
        const row = this.sql('SELECT cluster FROM ch_reports WHERE id = ? AND office = ?').get(reportId, office) as { cluster: number } | undefined;
        if (!row) return false;
        this.sql('UPDATE ch_reports SET mark = ?, marked_at = ? WHERE id = ?').run(mark, new Date().toISOString(), reportId);
        // the office's mark on the text: its latest marked report in the cluster
        const latest = this.sql('SELECT mark FROM ch_reports WHERE cluster = ? AND office = ? AND mark IS NOT NULL ORDER BY marked_at DESC, seq DESC LIMIT 1').get(row.cluster, office) as
          | { mark: Mark }
          | undefined;
        this.sql('UPDATE ch_cluster_offices SET mark = ? WHERE cluster = ? AND office = ?').run(latest?.mark ?? null, row.cluster, office);
        return true;
      })
      .immediate();
  }

  async ownReport(office: string, reportId: string): Promise<OwnReport | null> {
    return (this.sql('SELECT id, received_day, mark FROM ch_reports WHERE id = ? AND office = ?').get(reportId, office) as OwnReport | undefined) ?? null;
  }

  async lookup(office: string, fp: KeyedFingerprint): Promise<LookupAnswer> {
    this.refresh();
    const clusters = this.verified(fp, this.candidates(this.lshRows(bandKeys(fp.signature))), 'lookup');
    if (!clusters.length) return { offices: 0, first_seen: null, marks: { mass: 0, regular: 0 } };
    const row = this.sql(
      `SELECT COUNT(*) AS offices, MIN(f) AS first_seen, COALESCE(SUM(m), 0) AS mass, COALESCE(SUM(g), 0) AS regular FROM (
         SELECT office, MIN(first_seen) AS f, MAX(mark = 'mass') AS m, MAX(mark = 'regular') AS g FROM ch_cluster_offices
         WHERE cluster IN (SELECT value FROM json_each(?)) AND office <> ? GROUP BY office)`,
    ).get(JSON.stringify(clusters), office) as { offices: number; first_seen: string | null; mass: number; regular: number };
    return { offices: row.offices, first_seen: row.first_seen, marks: { mass: row.mass, regular: row.regular } };
  }

  async stats() {
    const one = (q: string) => (this.sql(q).get() as { n: number }).n;
    return {
      reports: one('SELECT COUNT(*) AS n FROM ch_reports'),
      clusters: one('SELECT COUNT(*) AS n FROM ch_clusters'),
      offices: one('SELECT COUNT(DISTINCT office) AS n FROM ch_reports'),
    };
  }

  async close() {
    if (this.waiting.length) this.commitWaiting();
    // a clean stop leaves the whole index in the file
    if (this.db.open && (this.merging || this.buffer.size)) {
      this.refresh();
      this.merge(true);
    }
    await this.checkpointer?.close();
    this.checkpointer = null;
    if (this.db.open) this.db.close();
  }
}
