import type { Config } from './config.js';
import { Engine } from './engine.js';
import { loadRules } from './signals/rules/load-rules.js';
import { loadLibrary, readLibrary, SHIPPED_LIBRARY } from './storage/known-campaigns.js';
import { SqliteStore } from './storage/sqlite-store.js';

/**
 * Everything the service and the CLI load once: rules, the store (migrated), the shipped library
 * of known campaigns, and the engine over them.
 */
export function openRuntime(config: Config): { engine: Engine; store: SqliteStore; close: () => void } {
  const rules = loadRules(config.rulesFile);
  const store = SqliteStore.open(config.dataDir);
  try {
    loadLibrary(store, readLibrary(SHIPPED_LIBRARY));
  } catch (e) {
    store.close();
    throw e;
  }
  const engine = new Engine({ rules, thresholds: config.thresholds, store });
  return { engine, store, close: () => store.close() };
}
