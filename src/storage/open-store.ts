import type { Config } from '../config.js';
import { SqliteMigrator, SqliteStore } from './sqlite-store.js';
import type { Migrator, Store } from './store.js';

/**
 * The office store the configuration names: the embedded SQLite file in SITO_DATA_DIR (the
 * default). Opening applies pending migrations. A PostgreSQL backend plugs in here, chosen by
 * SITO_DATABASE_URL.
 */
export async function openStore(config: Pick<Config, 'dataDir'>): Promise<Store> {
  return SqliteStore.open(config.dataDir);
}

/** `sito migrate`'s view of the same store: its schema versions, read or applied without opening it for work. */
export function openMigrator(config: Pick<Config, 'dataDir'>): Migrator {
  return new SqliteMigrator(config.dataDir);
}
