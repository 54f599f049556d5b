import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLookupGraph, type LookupTable } from './onnx-lookup-graph.js';
import { wordPieceTokenizer, type WordPieceTokenizer } from './wordpiece.js';

export interface StaticSettings {
  prefix: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  quantized: boolean;
}

/**
 * A static-embedding model (a token table looked up and mean-pooled; Sito's own sito-static-pl is
 * one) run in plain JavaScript: tokenize, add the table rows, divide, normalise. It gives the very
 * vectors the ONNX session and transformers.js's pooling give — same token ids, same float32 sums
 * in the same order — at a fraction of the cost, on the calling thread, with no intra-op threads
 * competing with the event loop. `null` when the model is not such a table or its tokenizer is not
 * BERT WordPiece: transformers.js then runs it.
 */
export function staticEmbedding(dir: string, settings: StaticSettings, maxChars: number): ((text: string) => Float32Array) | null {
  const file = join(dir, 'onnx', settings.quantized ? 'model_quantized.onnx' : 'model.onnx');
  const tokenizerFile = join(dir, 'tokenizer.json');
  if (!existsSync(file) || !existsSync(tokenizerFile)) return null;
  let table: LookupTable | null;
  let tokenizer: WordPieceTokenizer | null;
  try {
    table = readLookupGraph(readFileSync(file));
    const config = existsSync(join(dir, 'tokenizer_config.json')) ? (JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as { model_max_length?: number }) : {};
    tokenizer = table ? wordPieceTokenizer(JSON.parse(readFileSync(tokenizerFile, 'utf8')), config.model_max_length ?? Number.MAX_SAFE_INTEGER) : null;
  } catch {
    return null;
  }
  if (!table || !tokenizer) return null;
  const { rows, dim, data } = table;
  const tok = tokenizer;
  return (text: string) => {
    const ids = tok.encode(settings.prefix + text.slice(0, maxChars));
    const v = new Float32Array(dim);
    const take = settings.pooling === 'cls' ? Math.min(1, ids.length) : ids.length;
    for (let t = 0; t < take; t++) {
      const id = ids[t]!;
      // ONNX's Gather refuses an id outside the table; a tokenizer of this model never makes one
      if (id < 0 || id >= rows) throw new Error(`token id ${id} is outside the embedding table (${rows} rows)`);
      // four lanes a step (half the time of one); each lane adds the tokens in the same order, so
      // the float32 sums are the same to the bit
      let off = id * dim;
      let d = 0;
      for (; d + 4 <= dim; d += 4, off += 4) {
        v[d] = v[d]! + data[off]!;
        v[d + 1] = v[d + 1]! + data[off + 1]!;
        v[d + 2] = v[d + 2]! + data[off + 2]!;
        v[d + 3] = v[d + 3]! + data[off + 3]!;
      }
      for (; d < dim; d++, off++) v[d] = v[d]! + data[off]!;
    }
    if (take > 1) for (let d = 0; d < dim; d++) v[d] = v[d]! / take;
    if (settings.normalize) {
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += v[d]! * v[d]!;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dim; d++) v[d] = v[d]! / norm;
    }
    return v;
  };
}
