import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../storage/store.js';
import { fromArtifact, ModelError, readArtifact, type Model, type ModelArtifact } from './model.js';

/** The default model Sito ships, trained from data/ by `npm run train:default`. */
export const SHIPPED_MODEL = fileURLToPath(new URL('../../models/default/model.json', import.meta.url));

export interface RegistryEnv {
  dataDir: string;
  ruleIds: readonly string[];
  embedding: string | null;
}

/**
 * Model versions: artifacts are files (the shipped default in models/, trained ones under
 * $SITO_DATA_DIR/models/), their cards and the history of activations are in the store. The active
 * model is the last one activated, or else the shipped default.
 */
export class ModelRegistry {
  private constructor(
    private readonly store: Store,
    private readonly env: RegistryEnv,
    /** The shipped default's version, read once: the file does not change while Sito runs. */
    private readonly shippedVersion: string | null,
  ) {}

  /** The registry of a store, with the shipped default registered in it. */
  static async open(store: Store, env: RegistryEnv): Promise<ModelRegistry> {
    if (!existsSync(SHIPPED_MODEL)) return new ModelRegistry(store, env, null);
    const a = readArtifact(SHIPPED_MODEL);
    await store.writeTransaction((tx) => tx.registerModel({ version: a.version, source: 'shipped', path: SHIPPED_MODEL, created_at: a.created_at, card: a.card }));
    return new ModelRegistry(store, env, a.version);
  }

  /** Saves a trained artifact (atomically: written aside, then renamed) and registers it. */
  async save(a: ModelArtifact): Promise<void> {
    const dir = resolve(this.env.dataDir, 'models');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${a.version}.json`);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(a));
    renameSync(tmp, path);
    await this.store.writeTransaction((tx) => tx.registerModel({ version: a.version, source: 'trained', path, created_at: a.created_at, card: a.card }));
  }

  async load(version: string): Promise<Model> {
    const rec = await this.store.model(version);
    if (!rec) throw new ModelError(`no model version ${version} (see: sito model list)`);
    // the shipped default is read from this installation: instances sharing one database may be installed in different folders
    const path = rec.source === 'shipped' && version === this.shippedVersion ? SHIPPED_MODEL : rec.path;
    return fromArtifact(readArtifact(path), this.env);
  }

  /** The version that should be active now, or null for rules only. */
  async activeVersion(): Promise<string | null> {
    const last = (await this.store.activations(1))[0];
    return last?.version ?? this.shippedVersion;
  }

  /** Loads and checks the model, then records it as active. */
  async activate(version: string): Promise<Model> {
    const model = await this.load(version);
    await this.store.writeTransaction((tx) => tx.recordActivation(version));
    return model;
  }

  /** Activates the model that was active before the current one. */
  async rollback(): Promise<Model> {
    const history = await this.store.activations(1000);
    const current = await this.activeVersion();
    const previous = history.find((h) => h.version !== current)?.version ?? (current !== null ? this.shippedVersion : null);
    if (!previous || previous === current) throw new ModelError('no earlier model to roll back to');
    return this.activate(previous);
  }

  async list(): Promise<Array<{ version: string; source: string; created_at: string; active: boolean; card: unknown }>> {
    const active = await this.activeVersion();
    return (await this.store.models()).map((m) => ({ version: m.version, source: m.source, created_at: m.created_at, active: m.version === active, card: m.card }));
  }
}
