import { createCipheriv, createHmac } from 'node:crypto';
import { endianness } from 'node:os';
import { SLOTS, type Fingerprint } from '../signals/fingerprint/minhash.js';

/**
 * Keyed fingerprints: what an office sends the clearinghouse instead of a text.
 *
 * The office computes the ordinary MinHash signature (src/signals/fingerprint/minhash.ts), then
 * replaces every slot value v by a keyed pseudo-random function of (slot, v): the first 4 bytes of
 * AES-128_K(slot ‖ v ‖ 0…0), with K = the first 16 bytes of HMAC-SHA256(SITO_FEDERATION_SECRET,
 * "sito clearinghouse slot key v1"). Equal slots stay equal, so the share of equal slots still
 * estimates Jaccard similarity and the clearinghouse can match near-duplicates; without the secret
 * nobody can compute the keyed signature of a guessed text, so the clearinghouse's database alone
 * does not confirm a guess.
 *
 * Why AES and not one HMAC per slot: 256 HMAC-SHA256 calls cost 3.0 ms per signature in Node (the
 * per-call overhead dominates); the 256 AES blocks go through one cipher call, ~0.03 ms. Both are
 * keyed PRFs on distinct inputs (a block cipher is a PRF on a bounded number of queries).
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

const slotKeys = new Map<string, Buffer>();

function slotKey(secret: string): Buffer {
  let k = slotKeys.get(secret);
  if (!k) {
    k = createHmac('sha256', secret).update('sito clearinghouse slot key v1').digest().subarray(0, 16);
    slotKeys.set(secret, k);
  }
  return k;
}

/** The keyed version of a fingerprint (memoised per fingerprint object: scoring and reporting share it). */
export function keyFingerprint(fp: Fingerprint, secret: string): KeyedFingerprint {
  const hit = cache.get(fp);
  if (hit && hit.secret === secret) return hit.keyed;
  const blocks = Buffer.alloc(SLOTS * 16);
  for (let i = 0; i < SLOTS; i++) {
    blocks.writeUInt16BE(i, i * 16);
    blocks.writeUInt32BE(fp.signature[i]! >>> 0, i * 16 + 2);
  }
  const cipher = createCipheriv('aes-128-ecb', slotKey(secret), null).setAutoPadding(false);
  const enc = Buffer.concat([cipher.update(blocks), cipher.final()]);
  const out = new Uint32Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) out[i] = enc.readUInt32BE(i * 16);
  const keyed = { signature: out, shingles: fp.shingles };
  cache.set(fp, { secret, keyed });
  return keyed;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** base64 of the signature's little-endian bytes: the wire form. */
export function encodeSignature(sig: Uint32Array): string {
  const buf = Buffer.alloc(SLOTS * 4);
  for (let i = 0; i < SLOTS; i++) buf.writeUInt32LE(sig[i]! >>> 0, i * 4);
  return buf.toString('base64');
}

export function decodeSignature(b64: string): Uint32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== SLOTS * 4) throw new Error(`signature: expected ${SLOTS * 4} bytes in base64, got ${buf.length}`);
  if (LITTLE_ENDIAN) return new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const out = new Uint32Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}
