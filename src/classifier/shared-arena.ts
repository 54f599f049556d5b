import type { FeatureVector } from './features.js';

/** Bytes of each shared block the arena hands out views of. */
const BLOCK_BYTES = 8 << 20;

/**
 * Feature vectors whose arrays live in shared memory: threads fitting models on a training file
 * read the very same bytes instead of copies. The arena hands out views of large shared blocks
 * (a vector never straddles two), so a file's features are held once, with no per-array overhead.
 */
export class SharedArena {
  private f64: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private f64At = 0;
  private u32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private u32At = 0;

  /** `x` with its arrays in shared memory (an array already there is kept, not copied). */
  adopt(x: FeatureVector): FeatureVector {
    return { dense: this.float64(x.dense), ngrams: this.uint32(x.ngrams), ngramValue: x.ngramValue };
  }

  float64(src: Float64Array): Float64Array {
    if (src.buffer instanceof SharedArrayBuffer) return src;
    if (this.f64At + src.length > this.f64.length) {
      this.f64 = new Float64Array(new SharedArrayBuffer(Math.max(BLOCK_BYTES, src.length * 8)));
      this.f64At = 0;
    }
    const view = this.f64.subarray(this.f64At, this.f64At + src.length);
    view.set(src);
    this.f64At += src.length;
    return view;
  }

  uint32(src: Uint32Array): Uint32Array {
    if (src.buffer instanceof SharedArrayBuffer) return src;
    if (this.u32At + src.length > this.u32.length) {
      this.u32 = new Uint32Array(new SharedArrayBuffer(Math.max(BLOCK_BYTES, src.length * 4)));
      this.u32At = 0;
    }
    const view = this.u32.subarray(this.u32At, this.u32At + src.length);
    view.set(src);
    this.u32At += src.length;
    return view;
  }
}

/** Whether a thread given `x` reads its arrays in place (no copy). */
export const isShared = (x: FeatureVector): boolean => x.dense.buffer instanceof SharedArrayBuffer && x.ngrams.buffer instanceof SharedArrayBuffer;
