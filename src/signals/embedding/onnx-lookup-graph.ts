/**
 * Recognises a static-embedding ONNX graph — a token table looked up by `input_ids` and multiplied
 * by the attention mask, nothing else — and reads its table. Such a model is a table look-up: Sito
 * then runs it in plain JavaScript (static-embedder.ts) instead of an ONNX session, with the same
 * result to the bit. Any other graph (a transformer) is left to transformers.js.
 *
 * A minimal protobuf reader for the few ONNX fields this needs (onnx.proto3): ModelProto.graph (7);
 * GraphProto.node (1), .initializer (5); NodeProto.input (1), .output (2), .op_type (4);
 * TensorProto.dims (1), .data_type (2), .float_data (4), .name (8), .raw_data (9), .data_location (14).
 */

interface Field {
  no: number;
  wire: number;
  /** varint value (wire 0) */
  value: number;
  /** bytes (wire 2) */
  bytes: Uint8Array | null;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (at >= buf.length) throw new Error('truncated protobuf');
      const b = buf[at++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('bad varint');
    }
  };
  while (at < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint(), bytes: null };
    else if (wire === 2) {
      const len = varint();
      if (at + len > buf.length) throw new Error('truncated protobuf');
      yield { no, wire, value: 0, bytes: buf.subarray(at, at + len) };
      at += len;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const text = (b: Uint8Array | null) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : '');

function packedVarints(b: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < b.length) {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = b[at++]!;
      result += (x & 0x7f) * 2 ** shift;
      if (x < 0x80) break;
      shift += 7;
    }
    out.push(result);
  }
  return out;
}

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
}

interface Tensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array | null;
  floats: Uint8Array | null;
  external: boolean;
}

const FLOAT = 1;

function readNode(b: Uint8Array): Node {
  const n: Node = { op: '', inputs: [], outputs: [] };
  for (const f of fields(b)) {
    if (f.no === 1 && f.bytes) n.inputs.push(text(f.bytes));
    else if (f.no === 2 && f.bytes) n.outputs.push(text(f.bytes));
    else if (f.no === 4 && f.bytes) n.op = text(f.bytes);
  }
  return n;
}

function readTensor(b: Uint8Array): Tensor {
  const t: Tensor = { name: '', dims: [], dataType: 0, raw: null, floats: null, external: false };
  for (const f of fields(b)) {
    if (f.no === 1) {
      if (f.wire === 0) t.dims.push(f.value);
      else if (f.bytes) t.dims.push(...packedVarints(f.bytes));
    } else if (f.no === 2 && f.wire === 0) t.dataType = f.value;
    else if (f.no === 4 && f.bytes) t.floats = f.bytes;
    else if (f.no === 8 && f.bytes) t.name = text(f.bytes);
    else if (f.no === 9 && f.bytes) t.raw = f.bytes;
    else if (f.no === 14 && f.wire === 0) t.external = f.value === 1;
  }
  return t;
}

export interface LookupTable {
  rows: number;
  dim: number;
  /** rows × dim, row-major */
  data: Float32Array;
}

/**
 * The token table when `onnx` is exactly a masked look-up (Gather of a float initializer by
 * input_ids → last_hidden_state, times the attention mask: Cast, optional Unsqueeze, Mul); null for
 * any other graph.
 */
export function readLookupGraph(onnx: Uint8Array): LookupTable | null {
  let graph: Uint8Array | null = null;
  for (const f of fields(onnx)) if (f.no === 7 && f.bytes) graph = f.bytes;
  if (!graph) return null;
  const nodes: Node[] = [];
  const inits = new Map<string, Tensor>();
  for (const f of fields(graph)) {
    if (f.no === 1 && f.bytes) nodes.push(readNode(f.bytes));
    else if (f.no === 5 && f.bytes) {
      const t = readTensor(f.bytes);
      inits.set(t.name, t);
    }
  }
  const ops = nodes.map((n) => n.op).sort().join(',');
  if (ops !== 'Cast,Gather,Mul,Unsqueeze' && ops !== 'Cast,Gather,Mul') return null;
  const gather = nodes.find((n) => n.op === 'Gather')!;
  const cast = nodes.find((n) => n.op === 'Cast')!;
  const mul = nodes.find((n) => n.op === 'Mul')!;
  const unsq = nodes.find((n) => n.op === 'Unsqueeze');
  if (gather.inputs[1] !== 'input_ids' || cast.inputs[0] !== 'attention_mask' || mul.outputs[0] !== 'last_hidden_state') return null;
  const maskOut = unsq ? unsq.outputs[0] : cast.outputs[0];
  if (unsq && unsq.inputs[0] !== cast.outputs[0]) return null;
  if (!mul.inputs.includes(gather.outputs[0]!) || !mul.inputs.includes(maskOut!)) return null;
  const table = inits.get(gather.inputs[0]!);
  if (!table || table.external || table.dataType !== FLOAT || table.dims.length !== 2) return null;
  const [rows, dim] = table.dims as [number, number];
  const bytes = table.raw ?? table.floats;
  if (!bytes || bytes.byteLength !== rows * dim * 4) return null;
  // copy: the protobuf buffer's offset need not be 4-byte aligned
  const data = new Float32Array(rows * dim);
  new Uint8Array(data.buffer).set(bytes);
  return { rows, dim, data };
}
