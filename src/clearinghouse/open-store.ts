import { DEFAULT_CACHE_MB, SqliteClearinghouseStore } from './sqlite-store.js';
import type { ClearinghouseStore } from './store.js';

/** SQLite in SITO_DATA_DIR, or PostgreSQL when SITO_DATABASE_URL=postgres://… is set. */
export async function openClearinghouseStore(env: NodeJS.ProcessEnv = process.env): Promise<ClearinghouseStore> {
  const url = env.SITO_DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { PostgresClearinghouseStore } = await import('./postgres-store.js');
    return PostgresClearinghouseStore.open(url);
  }
  if (url) throw new Error('SITO_DATABASE_URL must start with postgres:// (or leave it unset for SQLite in SITO_DATA_DIR)');
  const cache = env.SITO_CLEARINGHOUSE_CACHE_MB ? Number(env.SITO_CLEARINGHOUSE_CACHE_MB) : DEFAULT_CACHE_MB;
  if (!Number.isInteger(cache) || cache < 2 || cache > 1_048_576) throw new Error('SITO_CLEARINGHOUSE_CACHE_MB must be a whole number of megabytes, 2 to 1048576');
  return SqliteClearinghouseStore.open(env.SITO_DATA_DIR || './var', cache);
}
