import type { FeatureVector } from './features.js';

/** Bytes of each shared block the arena hands out views of. */
const BLOCK_BYTES = 8 << 20;

type Typed = Float64Array | Uint32Array;

/** The block views are handed out of, and where its free part starts. */
interface Block<T extends Typed> {
  array: T;
  at: number;
  /** a new shared block of at least `length` elements */
  grow: (length: number) => T;
}

/** `src` in shared memory: kept if it is there already, else copied into the block (a new one when it does not fit). */
function place<T extends Typed>(block: Block<T>, src: T): T {
  if (src.buffer instanceof SharedArrayBuffer) return src;
  if (block.at + src.length > block.array.length) {
    block.array = block.grow(src.length);
    block.at = 0;
  }
  const view = block.array.subarray(block.at, block.at + src.length) as T;
  view.set(src as never);
  block.at += src.length;
  return view;
}

/**
 * Feature vectors whose arrays live in shared memory: threads fitting models on a training file
 * read the very same bytes instead of copies. The arena hands out views of large shared blocks
 * (a vector never straddles two), so a file's features are held once, with no per-array overhead.
 */
export class SharedArena {
  private readonly f64: Block<Float64Array> = { array: new Float64Array(0), at: 0, grow: (n) => new Float64Array(new SharedArrayBuffer(Math.max(BLOCK_BYTES, n * 8))) };
  private readonly u32: Block<Uint32Array> = { array: new Uint32Array(0), at: 0, grow: (n) => new Uint32Array(new SharedArrayBuffer(Math.max(BLOCK_BYTES, n * 4))) };

  /** `x` with its arrays in shared memory (an array already there is kept, not copied). */
  adopt(x: FeatureVector): FeatureVector {
    return { dense: this.float64(x.dense), ngrams: this.uint32(x.ngrams), ngramValue: x.ngramValue };
  }

  float64(src: Float64Array): Float64Array {
    return place(this.f64, src);
  }

  uint32(src: Uint32Array): Uint32Array {
    return place(this.u32, src);
  }
}
