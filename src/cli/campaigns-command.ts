import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { normalise } from '../normalise/normalise.js';
import { clusterPetitions, type ClusterInput } from '../signals/campaign/cluster.js';
import { fingerprint, MIN_SHINGLES } from '../signals/fingerprint/minhash.js';
import { LineError, readJsonLines } from '../ingest/jsonl.js';
import { loadLibrary, toRecord } from '../storage/known-campaigns.js';
import type { NewKnownCampaign, Store } from '../storage/store.js';
import { openInput } from './score-command.js';

const ImportLine = z.object({
  text: z.string().min(1, 'text must not be empty'),
  id: z.string().optional(),
  family: z.string().optional(),
  label: z
    .string()
    .transform((l) => l.trim().toLowerCase())
    .pipe(z.enum(['mass', 'regular', 'masowa', 'zwykla', 'zwykła']))
    .transform((l) => (l === 'mass' || l === 'masowa' ? 'mass' : 'regular'))
    .optional(),
  sender: z.union([z.string(), z.object({ name: z.string().optional(), email: z.string().optional() })]).optional(),
  sender_email: z.string().optional(),
  received_at: z.string().optional(),
});

export interface ImportResult {
  petitions: number;
  skippedShort: number;
  campaigns: NewKnownCampaign[];
}

/**
 * `sito campaigns import FILE.jsonl`: fingerprints the petitions of a file, groups near-duplicates,
 * and adds each group to the library of known campaigns. With `fingerprintsOnly`, no text is kept —
 * only fingerprints and metadata, which offices can share without petitioners' personal data.
 */
export async function importCampaigns(store: Store, file: string, opts: { fingerprintsOnly: boolean; writeLibrary?: string }): Promise<ImportResult> {
  const items: ClusterInput[] = [];
  let skippedShort = 0;
  for await (const { line, value } of readJsonLines(openInput(file))) {
    const parsed = ImportLine.safeParse(value);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new LineError(line, `${i.path.join('.') || 'line'}: ${i.message}`);
    }
    const d = parsed.data;
    const fp = fingerprint(normalise(d.text).folded);
    if (fp.shingles < MIN_SHINGLES) {
      skippedShort++;
      continue;
    }
    const sender = typeof d.sender === 'string' ? d.sender : (d.sender?.email ?? d.sender_email ?? d.sender?.name ?? null);
    items.push({ fingerprint: fp, text: d.text, family: d.family ?? null, label: d.label ?? null, sender, receivedAt: d.received_at ?? null });
  }
  const campaigns = clusterPetitions(items).map(
    (c): NewKnownCampaign => ({
      id: c.id,
      label: c.label,
      family: c.family,
      sender: c.sender,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      size: c.members.length,
      representativeText: opts.fingerprintsOnly ? null : c.representative.text.slice(0, 4000),
      fingerprint: c.representative.fingerprint,
    }),
  );
  await loadLibrary(store, campaigns);
  if (opts.writeLibrary) {
    writeFileSync(opts.writeLibrary, campaigns.map((c) => `${JSON.stringify(toRecord(c))}\n`).join(''));
  }
  return { petitions: items.length, skippedShort, campaigns };
}
