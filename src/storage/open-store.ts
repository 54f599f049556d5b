import type { Config } from '../config.js';
import { PostgresMigrator } from './postgres/migrate.js';
import { SqliteMigrator, SqliteStore } from './sqlite-store.js';
import type { Migrator, Store } from './store.js';

/**
 * The office store the configuration names: the embedded SQLite file in SITO_DATA_DIR (the
 * default), or PostgreSQL when SITO_DATABASE_URL=postgres://… is set (several instances then share
 * it; a model trained elsewhere is cached under SITO_DATA_DIR/models). Opening applies pending
 * migrations.
 */
export async function openStore(config: Pick<Config, 'dataDir'> & Partial<Pick<Config, 'databaseUrl'>>): Promise<Store> {
  if (config.databaseUrl) {
    const { PostgresStore } = await import('./postgres/store.js');
    return PostgresStore.open(config.databaseUrl, { modelCacheDir: `${config.dataDir}/models` });
  }
  return SqliteStore.open(config.dataDir);
}

/** `sito migrate`'s view of the same store: its schema versions, read or applied without opening it for work. */
export function openMigrator(config: Pick<Config, 'dataDir'> & Partial<Pick<Config, 'databaseUrl'>>): Migrator {
  if (config.databaseUrl) return new PostgresMigrator(config.databaseUrl);
  return new SqliteMigrator(config.dataDir);
}
