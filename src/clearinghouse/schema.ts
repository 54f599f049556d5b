/**
 * The clearinghouse database (its own, not an office's): clusters of near-duplicate reports, each
 * office's row per cluster (first day, mark), the reports themselves (keyed signatures only) and
 * the LSH index of each cluster's first members. One list, two dialects.
 */
export const CLEARINGHOUSE_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sqlite: string; postgres: string }> = [
  {
    version: 1,
    name: 'clusters, reports, offices per cluster, LSH index',
    sqlite: `
      CREATE TABLE ch_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE ch_clusters (
        id INTEGER PRIMARY KEY,
        first_seen TEXT NOT NULL,
        reports INTEGER NOT NULL,
        indexed INTEGER NOT NULL
      );
      CREATE TABLE ch_reports (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        office TEXT NOT NULL,
        cluster INTEGER NOT NULL REFERENCES ch_clusters (id),
        received_day TEXT NOT NULL,
        mark TEXT CHECK (mark IN ('mass', 'regular')),
        marked_at TEXT,
        signature BLOB NOT NULL,
        shingles INTEGER NOT NULL,
        reported_at TEXT NOT NULL
      );
      CREATE INDEX ch_reports_cluster_office ON ch_reports (cluster, office);
      CREATE TABLE ch_cluster_offices (
        cluster INTEGER NOT NULL,
        office TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        mark TEXT,
        reports INTEGER NOT NULL,
        PRIMARY KEY (cluster, office)
      ) WITHOUT ROWID;
      -- band keys of each cluster's first members, each key once per cluster (with the member that
      -- brought it, to verify against); at most MAX_PER_KEY clusters per key
      CREATE TABLE ch_lsh (
        key INTEGER NOT NULL,
        cluster INTEGER NOT NULL,
        report INTEGER NOT NULL,
        PRIMARY KEY (key, cluster)
      ) WITHOUT ROWID;
      -- band keys that MAX_PER_KEY clusters shared: no longer indexed, their rows removed
      CREATE TABLE ch_stop_keys (key INTEGER PRIMARY KEY);
    `,
    postgres: `
      CREATE TABLE ch_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE ch_clusters (
        id BIGSERIAL PRIMARY KEY,
        first_seen TEXT NOT NULL,
        reports INTEGER NOT NULL,
        indexed INTEGER NOT NULL
      );
      CREATE TABLE ch_reports (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        office TEXT NOT NULL,
        cluster BIGINT NOT NULL REFERENCES ch_clusters (id),
        received_day TEXT NOT NULL,
        mark TEXT CHECK (mark IN ('mass', 'regular')),
        marked_at TEXT,
        signature BYTEA NOT NULL,
        shingles INTEGER NOT NULL,
        reported_at TEXT NOT NULL
      );
      CREATE INDEX ch_reports_cluster_office ON ch_reports (cluster, office);
      CREATE TABLE ch_cluster_offices (
        cluster BIGINT NOT NULL,
        office TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        mark TEXT,
        reports INTEGER NOT NULL,
        PRIMARY KEY (cluster, office)
      );
      CREATE TABLE ch_lsh (
        key BIGINT NOT NULL,
        cluster BIGINT NOT NULL,
        report BIGINT NOT NULL,
        PRIMARY KEY (key, cluster)
      );
      CREATE TABLE ch_stop_keys (key BIGINT PRIMARY KEY);
    `,
  },
  {
    version: 2,
    name: 'marked reports indexed alone',
    // setMark looks for an office's latest *marked* report in a cluster; most reports carry no
    // mark, and indexing them all cost one index write per report for nothing
    sqlite: `
      DROP INDEX ch_reports_cluster_office;
      CREATE INDEX ch_reports_marked ON ch_reports (cluster, office) WHERE mark IS NOT NULL;
    `,
    postgres: `
      DROP INDEX ch_reports_cluster_office;
      CREATE INDEX ch_reports_marked ON ch_reports (cluster, office) WHERE mark IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'LSH rows and offices per cluster read from the index alone (PostgreSQL)',
    // SQLite's ch_lsh and ch_cluster_offices are WITHOUT ROWID: their rows are the primary key's
    // b-tree already. PostgreSQL fetched each matching row from the table (a campaign's 2 500
    // offices from 2 500 places): with the columns read in the index, a look-up reads the index
    // alone wherever vacuum has marked the table's pages all-visible
    sqlite: ``,
    postgres: `
      ALTER TABLE ch_lsh DROP CONSTRAINT ch_lsh_pkey;
      ALTER TABLE ch_lsh ADD CONSTRAINT ch_lsh_pkey PRIMARY KEY (key, cluster) INCLUDE (report);
      ALTER TABLE ch_cluster_offices DROP CONSTRAINT ch_cluster_offices_pkey;
      ALTER TABLE ch_cluster_offices ADD CONSTRAINT ch_cluster_offices_pkey PRIMARY KEY (cluster, office) INCLUDE (first_seen, mark);
    `,
  },
  {
    version: 4,
    name: 'offices per cluster counted in the cluster row (PostgreSQL)',
    // a look-up of a campaign at 2 500 offices counted 2 500 index entries (1.4–4.5 ms of the
    // database's time for the largest, at 1 M reports); the cluster row now keeps how many offices
    // it has, the first of them and the earliest day of any other office, so that one row answers
    // "other offices" and "since when" whatever the asking office; marks are counted from the
    // marked offices alone. SQLite reads its WITHOUT ROWID table of offices in key order (its
    // look-up p99 was under 10 ms at 1 M when no merge ran beside it), and keeps the count
    sqlite: ``,
    postgres: `
      ALTER TABLE ch_clusters ADD COLUMN offices INTEGER NOT NULL DEFAULT 0, ADD COLUMN first_office TEXT, ADD COLUMN second_seen TEXT;
      WITH r AS (
        SELECT cluster, office, first_seen, row_number() OVER (PARTITION BY cluster ORDER BY first_seen, office) AS k, COUNT(*) OVER (PARTITION BY cluster) AS n
        FROM ch_cluster_offices
      )
      UPDATE ch_clusters c SET offices = a.n, first_office = a.office, second_seen = b.first_seen
      FROM r a LEFT JOIN r b ON b.cluster = a.cluster AND b.k = 2 WHERE a.k = 1 AND c.id = a.cluster;
      CREATE INDEX ch_cluster_offices_marked ON ch_cluster_offices (cluster) INCLUDE (office, mark) WHERE mark IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'indexed members of each cluster',
    // a look-up whose text one member of a cluster contains reads that cluster's other indexed
    // members (clusters.ts, verifyCandidates); only members that brought band keys keep a
    // signature, at most INDEXED_PER_CLUSTER a cluster, so the index is small
    sqlite: `CREATE INDEX ch_reports_indexed ON ch_reports (cluster, seq) WHERE length(signature) > 0;`,
    postgres: `CREATE INDEX ch_reports_indexed ON ch_reports (cluster, seq) WHERE length(signature) > 0;`,
  },
];
