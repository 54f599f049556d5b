import type { Config } from './config.js';
import { ModelRegistry } from './classifier/registry.js';
import { Engine } from './engine.js';
import { loadRules } from './signals/rules/load-rules.js';
import { loadLibrary, readLibrary, SHIPPED_LIBRARY } from './storage/known-campaigns.js';
import { SqliteStore } from './storage/sqlite-store.js';

export interface Runtime {
  engine: Engine;
  store: SqliteStore;
  registry: ModelRegistry;
  /** Why the active model could not be loaded, when it could not (the engine then scores with the rules). */
  modelProblem: string | null;
  /** Loads the active model again if another process activated one; returns what changed. */
  refreshModel: () => { changed: boolean; version: string; problem: string | null };
  close: () => void;
}

/**
 * Everything the service and the CLI load once: rules, the store (migrated), the shipped library
 * of known campaigns, the model registry and its active model, and the engine over them.
 */
export function openRuntime(config: Config): Runtime {
  const rules = loadRules(config.rulesFile);
  const store = SqliteStore.open(config.dataDir);
  let registry: ModelRegistry;
  try {
    loadLibrary(store, readLibrary(SHIPPED_LIBRARY));
    registry = new ModelRegistry(store, { dataDir: config.dataDir, ruleIds: rules.rules.map((r) => r.id), embedding: null });
  } catch (e) {
    store.close();
    throw e;
  }
  const engine = new Engine({ rules, thresholds: config.thresholds, store });
  const runtime: Runtime = {
    engine,
    store,
    registry,
    modelProblem: null,
    refreshModel: () => {
      const wanted = registry.activeVersion();
      const have = engine.model?.artifact.version ?? null;
      if (wanted === have || (wanted !== null && runtime.modelProblem?.startsWith(`${wanted}:`))) {
        return { changed: false, version: engine.modelVersion, problem: runtime.modelProblem };
      }
      try {
        engine.setModel(wanted === null ? null : registry.load(wanted));
        runtime.modelProblem = null;
      } catch (e) {
        runtime.modelProblem = `${wanted}: ${(e as Error).message}`;
      }
      return { changed: true, version: engine.modelVersion, problem: runtime.modelProblem };
    },
    close: () => store.close(),
  };
  runtime.refreshModel();
  return runtime;
}
