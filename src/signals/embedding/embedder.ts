import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { staticEmbedding } from './static-embedder.js';

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
  /** how it runs: a table look-up in JavaScript (static models) or an ONNX session through transformers.js */
  runtime?: 'table' | 'onnx';
}

interface TensorLike {
  dims: number[];
  data: ArrayLike<number | bigint>;
}
/** The parts of a transformers.js feature-extraction pipeline Sito calls. */
interface Extractor {
  tokenizer: (texts: string[], opts: { padding: boolean; truncation: boolean }) => { input_ids: TensorLike; attention_mask: TensorLike };
  model: (inputs: Record<string, unknown>) => Promise<Record<string, TensorLike>>;
}

/** Characters of a petition the model reads: its opening pages carry what it is about. */
export const MAX_EMBED_CHARS = 6000;

/**
 * Pools token vectors into one vector per text (mean over the attention mask, or the first token),
 * then L2-normalises. Done here, in one pass with the mask read once, rather than by
 * transformers.js's mean_pooling, which converts every mask element per dimension (50 ms for a
 * 7 000-token petition against under 1 ms here).
 */
function pool(hidden: TensorLike, mask: TensorLike, mode: 'mean' | 'cls', normalize: boolean): Float32Array[] {
  const [batch, seq, dim] = hidden.dims as [number, number, number];
  const h = hidden.data as Float32Array;
  const m = mask.data;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let n = 0;
    for (let t = 0; t < (mode === 'cls' ? 1 : seq); t++) {
      if (mode === 'mean' && Number(m[b * seq + t]) === 0) continue;
      n++;
      const off = (b * seq + t) * dim;
      for (let d = 0; d < dim; d++) v[d] = v[d]! + h[off + d]!;
    }
    if (n > 1) for (let d = 0; d < dim; d++) v[d] = v[d]! / n;
    if (normalize) {
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += v[d]! * v[d]!;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dim; d++) v[d] = v[d]! / norm;
    }
    out.push(v);
  }
  return out;
}

/** Texts embedded in one model call at most; requests arriving together share a call. */
const BATCH = 16;

/**
 * Loads a transformers.js feature-extraction model from a local folder — the same code path for
 * the project's own model and any model dropped into models/ — with remote loading switched off.
 * A missing or broken model is not fatal: the status says why, and Sito scores without it.
 */
export async function loadEmbedder(
  name: string,
  modelsDir = DEFAULT_MODELS_DIR,
  opts: { runtime?: 'auto' | 'onnx' } = {},
): Promise<{ embedder: Embedder | null; status: EmbeddingStatus }> {
  const none = (problem: string | null) => ({ embedder: null, status: { loaded: false, model: problem ? name : null, dimension: null, problem } });
  if (name === 'none' || name === '') return none(null);
  const dir = join(resolve(modelsDir), name);
  if (!existsSync(join(dir, 'config.json'))) return none(`no model ${name} in ${resolve(modelsDir)} (config.json missing)`);
  try {
    const settingsFile = join(dir, 'sito-embedding.json');
    const settings = ModelSettings.parse(existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {});
    const table = opts.runtime === 'onnx' ? null : staticEmbedding(dir, settings, MAX_EMBED_CHARS);
    if (table) {
      const dimension = table('test').length;
      const embedder: Embedder = { name, dimension, embed: async (texts) => texts.map(table) };
      return { embedder, status: { loaded: true, model: name, dimension, problem: null, runtime: 'table' } };
    }
    const { pipeline, env } = await import('@xenova/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${resolve(modelsDir)}/`;
    const extractor = (await pipeline('feature-extraction', name, { quantized: settings.quantized, local_files_only: true })) as unknown as Extractor;
    const run = async (texts: string[]) => {
      const inputs = extractor.tokenizer(texts.map((t) => settings.prefix + t.slice(0, MAX_EMBED_CHARS)), { padding: true, truncation: true });
      const out = await extractor.model(inputs);
      const hidden = out.last_hidden_state ?? Object.values(out)[0]!;
      return pool(hidden, inputs.attention_mask, settings.pooling, settings.normalize);
    };
    const dimension = (await run(['test']))[0]!.length;

    let queue: Array<{ text: string; resolve: (v: Float32Array) => void; reject: (e: unknown) => void }> = [];
    let scheduled = false;
    const flush = async () => {
      scheduled = false;
      while (queue.length) {
        const batch = queue.slice(0, BATCH);
        queue = queue.slice(BATCH);
        try {
          const vectors = await run(batch.map((b) => b.text));
          batch.forEach((b, i) => b.resolve(vectors[i]!));
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
    return { embedder, status: { loaded: true, model: name, dimension, problem: null, runtime: 'onnx' } };
  } catch (e) {
    return none(`model ${name} could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * For machines with access to a model hub: downloads a transformers.js feature-extraction model into
 * `modelsDir/<id>/` (the layout the offline loader reads) and writes its sito-embedding.json.
 * Nothing else in Sito ever downloads: scoring loads models with remote access switched off.
 */
export async function fetchEmbeddingModel(id: string, modelsDir = DEFAULT_MODELS_DIR, opts: { prefix?: string; quantized?: boolean; hub?: string } = {}): Promise<string> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id)) throw new Error(`model id "${id}" is not of the form NAME or OWNER/NAME`);
  const { pipeline, env } = await import('@xenova/transformers');
  const dir = resolve(modelsDir);
  env.allowRemoteModels = true;
  env.useFSCache = true;
  env.cacheDir = `${dir}/`;
  env.localModelPath = `${dir}/`;
  if (opts.hub) env.remoteHost = opts.hub.endsWith('/') ? opts.hub : `${opts.hub}/`;
  const quantized = opts.quantized ?? true;
  await pipeline('feature-extraction', id, { quantized });
  env.allowRemoteModels = false;
  const settings = { prefix: opts.prefix ?? '', pooling: 'mean', normalize: true, quantized };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, id, 'sito-embedding.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return join(dir, id);
}
