import { createHmac } from 'node:crypto';
import { SLOTS, type Fingerprint } from '../signals/fingerprint/minhash.js';

/**
 * Keyed fingerprints: what an office sends the clearinghouse instead of a text.
 *
 * The office computes the ordinary MinHash signature (src/signals/fingerprint/minhash.ts), then
 * replaces every slot value v by the first 4 bytes of HMAC-SHA256(SITO_FEDERATION_SECRET, slot ‖ v).
 * Equal slots stay equal, so the share of equal slots still estimates Jaccard similarity and the
 * clearinghouse can match near-duplicates; without the secret nobody can compute the keyed
 * signature of a guessed text, so the clearinghouse's database alone does not confirm a guess.
 */
export interface KeyedFingerprint {
  /** SLOTS keyed 32-bit values */
  signature: Uint32Array;
  /** number of distinct shingles of the text (for containment) */
  shingles: number;
}

/** A federation secret shorter than this is refused: it would be guessable. */
export const MIN_SECRET_LENGTH = 16;

export function checkSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`SITO_FEDERATION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (shared by every member office; keep it off the clearinghouse)`);
  }
}

const cache = new WeakMap<Fingerprint, { secret: string; keyed: KeyedFingerprint }>();

/** The keyed version of a fingerprint (memoised per fingerprint object: scoring and reporting share it). */
export function keyFingerprint(fp: Fingerprint, secret: string): KeyedFingerprint {
  const hit = cache.get(fp);
  if (hit && hit.secret === secret) return hit.keyed;
  const out = new Uint32Array(SLOTS);
  const msg = Buffer.alloc(6);
  for (let i = 0; i < SLOTS; i++) {
    msg.writeUInt16BE(i, 0);
    msg.writeUInt32BE(fp.signature[i]! >>> 0, 2);
    out[i] = createHmac('sha256', secret).update(msg).digest().readUInt32BE(0);
  }
  const keyed = { signature: out, shingles: fp.shingles };
  cache.set(fp, { secret, keyed });
  return keyed;
}

/** base64 of the signature's little-endian bytes: the wire form. */
export function encodeSignature(sig: Uint32Array): string {
  const buf = Buffer.alloc(SLOTS * 4);
  for (let i = 0; i < SLOTS; i++) buf.writeUInt32LE(sig[i]! >>> 0, i * 4);
  return buf.toString('base64');
}

export function decodeSignature(b64: string): Uint32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== SLOTS * 4) throw new Error(`signature: expected ${SLOTS * 4} bytes in base64, got ${buf.length}`);
  const out = new Uint32Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}
