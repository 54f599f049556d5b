/**
 * Builds Sito's default embedding model, models/sito-static-pl/, from the repository's own Polish
 * text (data/petitions.csv and data/known-campaigns-source/*.txt), reproducibly:
 *   npm run build:embedding
 *
 * A static-embedding model: a WordPiece vocabulary learned here (frequent words, plus word-initial
 * stems and "##" endings so unseen inflected forms split into a stem and an ending), and a token
 * table from co-occurrence — positive PMI over a ±5-token window, reduced by a seeded randomized
 * SVD — with SIF weights (a / (a + p(token))) so frequent tokens weigh little in the mean. The table
 * is exported as an ONNX graph (Gather, masked) whose output transformers.js mean-pools.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import onnxProto from 'onnx-proto';
import { seededRandom } from '../../src/random.js';

const { onnx } = onnxProto;
const root = fileURLToPath(new URL('../../', import.meta.url));
export const MODEL_NAME = 'sito-static-pl';
const DEFAULT_OUT = `${root}models/${MODEL_NAME}/`;
const DIM = 96;
const WINDOW = 5;
const MIN_WORD = 2;
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** What transformers.js's BertNormalizer + BertPreTokenizer do: lower case, accents stripped (ł stays), split on space and punctuation. */
function words(text: string): string[] {
  const norm = text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return norm.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}


function corpusTexts(): string[] {
  const rows = parse(readFileSync(`${root}data/petitions.csv`), { columns: true }) as Array<{ text: string }>;
  const src = `${root}data/known-campaigns-source/`;
  return [...rows.map((r) => r.text), ...readdirSync(src).filter((f) => f.endsWith('.txt')).sort().map((f) => readFileSync(src + f, 'utf8'))];
}

function buildVocab(texts: string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const byFreq = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const vocab = new Set<string>(SPECIAL);
  for (const [w, c] of byFreq) if (c >= MIN_WORD) vocab.add(w);
  // stems and endings: prefixes of 3–7 letters and "##" suffixes of 1–4 letters seen in 3+ word types
  const prefix = new Map<string, number>();
  const suffix = new Map<string, number>();
  for (const [w] of byFreq) {
    if (!/^\p{L}+$/u.test(w)) continue;
    for (let n = 3; n <= Math.min(7, w.length - 1); n++) prefix.set(w.slice(0, n), (prefix.get(w.slice(0, n)) ?? 0) + 1);
    for (let n = 1; n <= Math.min(4, w.length - 1); n++) suffix.set(w.slice(-n), (suffix.get(w.slice(-n)) ?? 0) + 1);
  }
  for (const [p, c] of [...prefix].sort()) if (c >= 3) vocab.add(p);
  for (const [s, c] of [...suffix].sort()) if (c >= 3) vocab.add(`##${s}`);
  // every character seen, alone and as a continuation, so no word is ever [UNK]
  const chars = new Set<string>();
  for (const [w] of byFreq) for (const ch of w) chars.add(ch);
  for (const ch of [...chars].sort()) {
    vocab.add(ch);
    vocab.add(`##${ch}`);
  }
  for (const d of '0123456789') {
    vocab.add(d);
    vocab.add(`##${d}`);
  }
  return [...vocab];
}

/** WordPiece, greedy longest-match-first — the algorithm of the exported tokenizer. */
function wordpiece(w: string, index: Map<string, number>): number[] {
  const out: number[] = [];
  let start = 0;
  while (start < w.length) {
    let end = w.length;
    let found = -1;
    while (start < end) {
      const piece = (start > 0 ? '##' : '') + w.slice(start, end);
      const id = index.get(piece);
      if (id !== undefined) {
        found = id;
        break;
      }
      end--;
    }
    if (found === -1) return [1];
    out.push(found);
    start = end;
  }
  return out;
}

export async function buildEmbedding(out = DEFAULT_OUT) {
  const texts = corpusTexts();
  const vocab = buildVocab(texts);
  const V = vocab.length;
  const index = new Map(vocab.map((t, i) => [t, i]));
  const docs = texts.map((t) => words(t).flatMap((w) => wordpiece(w, index)));

  // co-occurrence within ±WINDOW tokens, weighted 1/distance
  const co = new Map<number, number>();
  const freq = new Float64Array(V);
  for (const d of docs) {
    for (let i = 0; i < d.length; i++) {
      freq[d[i]!] = freq[d[i]!]! + 1;
      for (let k = 1; k <= WINDOW && i + k < d.length; k++) {
        const a = d[i]!;
        const b = d[i + k]!;
        const w = 1 / k;
        co.set(a * V + b, (co.get(a * V + b) ?? 0) + w);
        co.set(b * V + a, (co.get(b * V + a) ?? 0) + w);
      }
    }
  }
  // PPMI with context-distribution smoothing (α = 0.75)
  const rowSum = new Float64Array(V);
  const colSum = new Float64Array(V);
  let total = 0;
  for (const [key, v] of co) {
    rowSum[Math.floor(key / V)] = rowSum[Math.floor(key / V)]! + v;
    colSum[key % V] = colSum[key % V]! + v;
    total += v;
  }
  const colSmooth = colSum.map((c) => c ** 0.75);
  const colTotal = colSmooth.reduce((a, b) => a + b, 0);
  const entries: Array<[number, number, number]> = [];
  for (const [key, v] of [...co].sort((x, y) => x[0] - y[0])) {
    const i = Math.floor(key / V);
    const j = key % V;
    const pmi = Math.log((v / total) / ((rowSum[i]! / total) * (colSmooth[j]! / colTotal)));
    if (pmi > 0) entries.push([i, j, pmi]);
  }
  // randomized SVD of the sparse PPMI matrix (Halko et al.), seeded
  const r = seededRandom(20261122);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const K = DIM + 16;
  const mul = (x: Float64Array, cols: number, transpose: boolean) => {
    const y = new Float64Array(V * cols);
    for (const [i, j, v] of entries) {
      const [row, col] = transpose ? [j, i] : [i, j];
      for (let c = 0; c < cols; c++) y[row * cols + c] = y[row * cols + c]! + v * x[col * cols + c]!;
    }
    return y;
  };
  const orthonormalise = (y: Float64Array, cols: number) => {
    for (let c = 0; c < cols; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < V; i++) dot += y[i * cols + c]! * y[i * cols + p]!;
        for (let i = 0; i < V; i++) y[i * cols + c] = y[i * cols + c]! - dot * y[i * cols + p]!;
      }
      let norm = 0;
      for (let i = 0; i < V; i++) norm += y[i * cols + c]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < V; i++) y[i * cols + c] = y[i * cols + c]! / norm;
    }
    return y;
  };
  let q = orthonormalise(mul(Float64Array.from({ length: V * K }, gauss), K, false), K);
  for (let it = 0; it < 2; it++) q = orthonormalise(mul(orthonormalise(mul(q, K, true), K), K, false), K);
  // B = Qᵀ M (K×V); the eigenvectors of B Bᵀ give the top left singular vectors U = Q·W
  const bt = mul(q, K, true); // Mᵀ Q = Bᵀ (V×K)
  const bbt = new Matrix(K, K);
  for (let a = 0; a < K; a++) {
    for (let b = a; b < K; b++) {
      let s = 0;
      for (let i = 0; i < V; i++) s += bt[i * K + a]! * bt[i * K + b]!;
      bbt.set(a, b, s);
      bbt.set(b, a, s);
    }
  }
  const evd = new EigenvalueDecomposition(bbt, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]).slice(0, DIM);
  const W = evd.eigenvectorMatrix;
  const table = new Float32Array(V * DIM);
  const totalFreq = freq.reduce((a, b) => a + b, 0);
  for (let t = 0; t < V; t++) {
    if (t < SPECIAL.length) continue; // special tokens: zero vectors, they do not move the mean
    const row = new Float64Array(DIM);
    order.forEach(([value, e], d) => {
      let u = 0;
      for (let c = 0; c < K; c++) u += q[t * K + c]! * W.get(c, e);
      row[d] = u * Math.sqrt(Math.sqrt(Math.max(value, 0))); // U·Σ^½ (value is σ²)
    });
    const norm = Math.sqrt(row.reduce((a, b) => a + b * b, 0)) || 1;
    const sif = 1e-3 / (1e-3 + freq[t]! / totalFreq);
    for (let d = 0; d < DIM; d++) table[t * DIM + d] = (row[d]! / norm) * sif;
  }
  writeModel(out, vocab, table);
  return { vocab: V, dim: DIM, documents: texts.length, tokens: docs.reduce((a, d) => a + d.length, 0), nonzeros: entries.length };
}

function writeModel(out: string, vocab: string[], table: Float32Array) {
  mkdirSync(`${out}onnx`, { recursive: true });
  const V = vocab.length;
  const T = onnx.TensorProto.DataType;
  const dims = (...d: Array<string | number>) => ({ dim: d.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })) });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'sito build-embedding',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: MODEL_NAME,
      initializer: [
        { name: 'token_table', dims: [V, DIM], dataType: T.FLOAT, rawData: new Uint8Array(table.buffer) },
        { name: 'axis_2', dims: [1], dataType: T.INT64, int64Data: [2] },
      ],
      node: [
        { opType: 'Gather', input: ['token_table', 'input_ids'], output: ['token_vectors'], name: 'lookup' },
        { opType: 'Cast', input: ['attention_mask'], output: ['mask_f'], name: 'mask_float', attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }] },
        { opType: 'Unsqueeze', input: ['mask_f', 'axis_2'], output: ['mask_3d'], name: 'mask_3d' },
        { opType: 'Mul', input: ['token_vectors', 'mask_3d'], output: ['last_hidden_state'], name: 'masked' },
      ],
      input: [
        { name: 'input_ids', type: { tensorType: { elemType: T.INT64, shape: dims('batch', 'sequence') } } },
        { name: 'attention_mask', type: { tensorType: { elemType: T.INT64, shape: dims('batch', 'sequence') } } },
      ],
      output: [{ name: 'last_hidden_state', type: { tensorType: { elemType: T.FLOAT, shape: dims('batch', 'sequence', DIM) } } }],
    },
  });
  writeFileSync(`${out}onnx/model.onnx`, onnx.ModelProto.encode(model).finish());
  writeFileSync(`${out}config.json`, `${JSON.stringify({ model_type: 'bert', architectures: ['SitoStaticEmbedding'], hidden_size: DIM, vocab_size: V }, null, 2)}\n`);
  const specials = Object.fromEntries(['pad', 'unk', 'cls', 'sep', 'mask'].map((k, i) => [`${k}_token`, SPECIAL[i]]));
  writeFileSync(`${out}tokenizer_config.json`, `${JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, strip_accents: true, model_max_length: 8192, ...specials }, null, 2)}\n`);
  writeFileSync(
    `${out}tokenizer.json`,
    `${JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: SPECIAL.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: false, strip_accents: true, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
    })}\n`,
  );
  writeFileSync(`${out}sito-embedding.json`, `${JSON.stringify({ prefix: '', pooling: 'mean', normalize: true, quantized: false, dimension: DIM }, null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const s = await buildEmbedding();
  console.log(`wrote ${DEFAULT_OUT}: ${s.vocab} tokens × ${s.dim} dimensions from ${s.documents} texts (${s.tokens} tokens, ${s.nonzeros} PPMI entries) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
