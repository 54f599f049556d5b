import type { Config } from './config.js';
import { ModelRegistry } from './classifier/registry.js';
import { Engine, type Analysis } from './engine.js';
import type { Petition } from './ingest/petition-input.js';
import { loadRules } from './signals/rules/load-rules.js';
import { loadOfficeProfile } from './signals/rules/office-profile.js';
import { loadEmbedder, type Embedder, type EmbeddingStatus } from './signals/embedding/embedder.js';
import { VectorIndex } from './signals/embedding/vector-index.js';
import { embeddingDimension } from './classifier/model.js';
import { withoutWrapper } from './normalise/normalise.js';
import { loadLibrary, readLibrary, SHIPPED_LIBRARY } from './storage/known-campaigns.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';
import { OfficeClearinghouse } from './clearinghouse/office.js';
import type { Consultation } from './clearinghouse/consult.js';

export interface Runtime {
  engine: Engine;
  store: Store;
  registry: ModelRegistry;
  /** Why the active model could not be loaded, when it could not (the engine then scores with the rules). */
  modelProblem: string | null;
  /** Loads the active model again if another process activated one; returns what changed. */
  refreshModel: () => Promise<{ changed: boolean; version: string; problem: string | null }>;
  embedder: Embedder | null;
  embedding: EmbeddingStatus;
  /** the cross-office clearinghouse, when SITO_CLEARINGHOUSE_URL is set */
  clearinghouse: OfficeClearinghouse | null;
  /** the in-memory index of stored vectors, once attachEmbedding loaded a model */
  vectors?: { model: string; index: VectorIndex };
  close: () => Promise<void>;
}

/** Cosine similarity from which the nearest stored petition becomes a reason (measured: README, "Embeddings"). */
export const SEMANTIC_THRESHOLD = 0.8;

/**
 * Loads the configured embedding model and the stored vectors into the engine. Never fatal: a
 * missing or broken model leaves Sito scoring without the semantic signal, and says why.
 */
export async function attachEmbedding(rt: Runtime, config: Config): Promise<EmbeddingStatus> {
  const { embedder, status } = await loadEmbedder(config.embeddingModel, config.modelsDir);
  rt.embedding = status;
  rt.embedder = embedder;
  // a model trained with vectors cannot score without them (or with vectors of another size)
  const model = rt.engine.model;
  if (model && embeddingDimension(model) > 0 && embeddingDimension(model) !== (embedder?.dimension ?? 0)) {
    rt.engine.setModel(null);
    rt.modelProblem = `${model.artifact.version}: it was trained with embedding model ${model.artifact.embedding} (${embeddingDimension(model)} dimensions), which is not loaded${status.problem ? ` (${status.problem})` : ''}; scoring with the rules`;
  }
  if (embedder) {
    const index = new VectorIndex(embedder.dimension, config.vectorIndexSize);
    // only the newest vectors are loaded: the index keeps no more than its capacity
    for (const e of await rt.store.embeddings(embedder.name, config.vectorIndexSize)) if (e.vector.length === embedder.dimension) index.add(e.id, e.vector, e.level);
    rt.engine.setSemantic({ model: embedder.name, index, threshold: SEMANTIC_THRESHOLD });
    rt.vectors = { model: embedder.name, index };
  }
  return status;
}

/** Vectors read per call of takeInStoredVectors. */
export const VECTORS_PER_SYNC = 256;

/**
 * Adds to the in-memory index the newest stored vectors it does not hold yet: those other
 * instances stored (several instances on one PostgreSQL). Called every 2 s by the service, so up to
 * 128 petitions a second stored elsewhere are taken in; returns how many were added.
 */
export async function takeInStoredVectors(rt: Pick<Runtime, 'store' | 'vectors'>): Promise<number> {
  const v = rt.vectors;
  if (!v) return 0;
  let added = 0;
  for (const e of await rt.store.embeddings(v.model, VECTORS_PER_SYNC)) {
    if (e.vector.length !== v.index.dimension || v.index.has(e.id)) continue;
    v.index.add(e.id, e.vector, e.level);
    added++;
  }
  return added;
}

/**
 * Analyses a petition and embeds its body (the text without the e-mail wrapper the analysis found):
 * what `engine.score` takes. Without a model, or if the model fails, the vector is undefined and
 * scoring goes on without the semantic signal.
 */
export async function prepareScoring(
  rt: Pick<Runtime, 'embedder' | 'engine'> & { clearinghouse?: OfficeClearinghouse | null },
  petition: Petition,
): Promise<{ analysis: Analysis; vector: Float32Array | undefined; consulted: Consultation | undefined }> {
  const analysis = rt.engine.analyse(petition);
  // the clearinghouse is asked while the embedding runs; its wait is bounded (never throws)
  const asking = rt.clearinghouse ? rt.clearinghouse.consult(analysis.fingerprint) : undefined;
  let vector: Float32Array | undefined;
  if (rt.embedder) {
    try {
      vector = (await rt.embedder.embed([withoutWrapper(petition.text, analysis.text.wrapper)]))[0];
    } catch {
      vector = undefined;
    }
  }
  return { analysis, vector, consulted: await asking };
}

/**
 * Everything the service and the CLI load once: rules, the store (migrated), the shipped library
 * of known campaigns, the model registry and its active model, and the engine over them.
 */
export async function openRuntime(config: Config): Promise<Runtime> {
  const rules = loadRules(config.rulesFile, config.officeProfile ? loadOfficeProfile(config.officeProfile) : null);
  const store = await openStore(config);
  let registry: ModelRegistry;
  try {
    await loadLibrary(store, readLibrary(SHIPPED_LIBRARY));
    const expectedEmbedding = config.embeddingModel === 'none' || config.embeddingModel === '' ? null : config.embeddingModel;
    registry = await ModelRegistry.open(store, { dataDir: config.dataDir, ruleIds: rules.rules.map((r) => r.id), embedding: expectedEmbedding });
  } catch (e) {
    await store.close();
    throw e;
  }
  const engine = new Engine({ rules, thresholds: config.thresholds, store });
  const ch = config.clearinghouse;
  const clearinghouse = ch ? new OfficeClearinghouse(store.outbox, { url: ch.url, key: ch.key, secret: ch.secret, waitMs: ch.waitMs, retryMaxMs: ch.retryMaxMs }) : null;
  if (clearinghouse) {
    // every stored petition is reported, in the transaction that stores it (the outbox)
    engine.onStored = async ({ id, petition, analysis }, tx) => {
      await clearinghouse.enqueueReport(id, analysis.fingerprint, petition.received_at, tx.outbox);
      clearinghouse.kick();
    };
  }
  const runtime: Runtime = {
    engine,
    store,
    registry,
    modelProblem: null,
    embedder: null,
    embedding: { loaded: false, model: null, dimension: null, problem: 'not loaded' },
    clearinghouse,
    refreshModel: async () => {
      const wanted = config.scoring === 'rules' ? null : await registry.activeVersion();
      const have = engine.model?.artifact.version ?? null;
      if (wanted === have || (wanted !== null && runtime.modelProblem?.startsWith(`${wanted}:`))) {
        return { changed: false, version: engine.modelVersion, problem: runtime.modelProblem };
      }
      try {
        engine.setModel(wanted === null ? null : await registry.load(wanted));
        runtime.modelProblem = null;
      } catch (e) {
        runtime.modelProblem = `${wanted}: ${(e as Error).message}`;
      }
      return { changed: true, version: engine.modelVersion, problem: runtime.modelProblem };
    },
    close: () => store.close(),
  };
  await runtime.refreshModel();
  return runtime;
}
