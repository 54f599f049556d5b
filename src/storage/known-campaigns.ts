import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { bandKeys, SCHEME, SLOTS, signatureFromBuffer, signatureToBuffer } from '../signals/fingerprint/minhash.js';
import type { NewKnownCampaign, Store } from './store.js';

/** The library Sito ships: fingerprints and metadata of known campaigns, never petition texts. */
export const SHIPPED_LIBRARY = fileURLToPath(new URL('../../data/known-campaigns.jsonl', import.meta.url));

export const KnownCampaignRecord = z
  .object({
    id: z.string().min(1),
    scheme: z.literal(SCHEME, { error: (i) => `fingerprint scheme ${String(i.input)} is not ${SCHEME}: rebuild the library with this Sito (sito campaigns import … --write-library)` }),
    label: z.enum(['mass', 'regular']).nullable(),
    family: z.string().nullable(),
    sender: z.string().nullable(),
    first_seen: z.string().nullable(),
    last_seen: z.string().nullable(),
    size: z.number().int().min(1),
    shingles: z.number().int().min(1),
    signature: z.string().describe(`base64 of ${SLOTS} little-endian uint32 MinHash values`),
  })
  .strict();
export type KnownCampaignRecord = z.infer<typeof KnownCampaignRecord>;

export function toRecord(c: NewKnownCampaign): KnownCampaignRecord {
  return {
    id: c.id,
    scheme: SCHEME,
    label: c.label,
    family: c.family,
    sender: c.sender,
    first_seen: c.firstSeen,
    last_seen: c.lastSeen,
    size: c.size,
    shingles: c.fingerprint.shingles,
    signature: signatureToBuffer(c.fingerprint.signature).toString('base64'),
  };
}

export function fromRecord(r: KnownCampaignRecord): NewKnownCampaign {
  return {
    id: r.id,
    label: r.label,
    family: r.family,
    sender: r.sender,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    size: r.size,
    representativeText: null,
    fingerprint: { signature: signatureFromBuffer(Buffer.from(r.signature, 'base64')), shingles: r.shingles },
  };
}

export function readLibrary(path: string): NewKnownCampaign[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim())
    .map(({ line, n }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (e) {
        throw new Error(`${path}: line ${n}: malformed JSON (${(e as Error).message})`);
      }
      const parsed = KnownCampaignRecord.safeParse(raw);
      if (!parsed.success) throw new Error(`${path}: line ${n}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      return fromRecord(parsed.data);
    });
}

/** Loads a library into the store (idempotent: a known campaign is updated, not duplicated). */
export async function loadLibrary(store: Store, campaigns: readonly NewKnownCampaign[]): Promise<number> {
  await store.writeTransaction(async (tx) => {
    for (const c of campaigns) await tx.upsertKnownCampaign(c, bandKeys(c.fingerprint.signature));
  });
  return campaigns.length;
}
