import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Where models live: the repository's models/ unless SITO_MODELS_DIR says otherwise. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
export const DEFAULT_EMBEDDING_MODEL = 'sito-static-pl';

/** Per-model settings, in the model's folder as sito-embedding.json (e5 wants "query: " before the text). */
const ModelSettings = z
  .object({
    prefix: z.string().default(''),
    pooling: z.enum(['mean', 'cls']).default('mean'),
    normalize: z.boolean().default(true),
    quantized: z.boolean().default(true),
  })
  .partial()
  .transform((s) => ({ prefix: s.prefix ?? '', pooling: s.pooling ?? 'mean', normalize: s.normalize ?? true, quantized: s.quantized ?? true }));

export interface Embedder {
  name: string;
  dimension: number;
  /** One normalised vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export interface EmbeddingStatus {
  loaded: boolean;
  model: string | null;
  dimension: number | null;
  /** why the configured model is not loaded */
  problem: string | null;
}

type Extractor = (texts: string[], opts: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ dims: number[]; data: Float32Array }>;

/** Texts embedded in one model call at most; requests arriving together share a call. */
const BATCH = 16;

/**
 * Loads a transformers.js feature-extraction model from a local folder — the same code path for
 * the project's own model and any model dropped into models/ — with remote loading switched off.
 * A missing or broken model is not fatal: the status says why, and Sito scores without it.
 */
export async function loadEmbedder(name: string, modelsDir = DEFAULT_MODELS_DIR): Promise<{ embedder: Embedder | null; status: EmbeddingStatus }> {
  const none = (problem: string | null) => ({ embedder: null, status: { loaded: false, model: problem ? name : null, dimension: null, problem } });
  if (name === 'none' || name === '') return none(null);
  const dir = join(resolve(modelsDir), name);
  if (!existsSync(join(dir, 'config.json'))) return none(`no model ${name} in ${resolve(modelsDir)} (config.json missing)`);
  try {
    const settingsFile = join(dir, 'sito-embedding.json');
    const settings = ModelSettings.parse(existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {});
    const { pipeline, env } = await import('@xenova/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${resolve(modelsDir)}/`;
    const extractor = (await pipeline('feature-extraction', name, { quantized: settings.quantized, local_files_only: true })) as unknown as Extractor;
    const probe = await extractor(['test'], { pooling: settings.pooling, normalize: settings.normalize });
    const dimension = probe.dims[probe.dims.length - 1]!;

    let queue: Array<{ text: string; resolve: (v: Float32Array) => void; reject: (e: unknown) => void }> = [];
    let scheduled = false;
    const flush = async () => {
      scheduled = false;
      while (queue.length) {
        const batch = queue.slice(0, BATCH);
        queue = queue.slice(BATCH);
        try {
          const out = await extractor(batch.map((b) => settings.prefix + b.text), { pooling: settings.pooling, normalize: settings.normalize });
          batch.forEach((b, i) => b.resolve(out.data.slice(i * dimension, (i + 1) * dimension)));
        } catch (e) {
          batch.forEach((b) => b.reject(e));
        }
      }
    };
    const embedder: Embedder = {
      name,
      dimension,
      embed(texts) {
        const all = texts.map((text) => new Promise<Float32Array>((resolve, reject) => queue.push({ text, resolve, reject })));
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
        return Promise.all(all);
      },
    };
    return { embedder, status: { loaded: true, model: name, dimension, problem: null } };
  } catch (e) {
    return none(`model ${name} could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
