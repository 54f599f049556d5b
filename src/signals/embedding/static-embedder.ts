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
    }
    // eight dimensions at a time, each summed over the tokens in a local (a register) rather than
    // read from and written back to the vector for every token: a third less time. Each dimension
    // still adds the tokens in their order, rounding to float32 at every step (Math.fround), so the
    // sums are the same to the bit.
    const f = Math.fround;
    let d = 0;
    for (; d + 8 <= dim; d += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let t = 0; t < take; t++) {
        const off = ids[t]! * dim + d;
        a0 = f(a0 + data[off]!);
        a1 = f(a1 + data[off + 1]!);
        a2 = f(a2 + data[off + 2]!);
        a3 = f(a3 + data[off + 3]!);
        a4 = f(a4 + data[off + 4]!);
        a5 = f(a5 + data[off + 5]!);
        a6 = f(a6 + data[off + 6]!);
        a7 = f(a7 + data[off + 7]!);
      }
      v[d] = a0;
      v[d + 1] = a1;
      v[d + 2] = a2;
      v[d + 3] = a3;
      v[d + 4] = a4;
      v[d + 5] = a5;
      v[d + 6] = a6;
      v[d + 7] = a7;
    }
    for (; d < dim; d++) {
      let a = 0;
      for (let t = 0; t < take; t++) a = f(a + data[ids[t]! * dim + d]!);
      v[d] = a;
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
