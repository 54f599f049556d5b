/**
 * Builds the shipped library of known campaigns, data/known-campaigns.jsonl, from the project's
 * own texts in data/known-campaigns-source/ (see its manifest.json): fingerprints and metadata only.
 *   npm run build:campaigns
 * The output is deterministic: the same sources give the same file, byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCampaigns } from '../src/cli/campaigns-command.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';

const dir = fileURLToPath(new URL('../data/known-campaigns-source/', import.meta.url));
const out = fileURLToPath(new URL('../data/known-campaigns.jsonl', import.meta.url));
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  campaigns: Array<{ file: string; family: string; label: 'mass' | 'regular'; sender: string | null; first_seen: string | null }>;
};
const tmp = mkdtempSync(join(tmpdir(), 'sito-build-'));
const lines = manifest.campaigns.map((c) =>
  JSON.stringify({ text: readFileSync(join(dir, c.file), 'utf8'), family: c.family, label: c.label, sender: c.sender ?? undefined, received_at: c.first_seen ?? undefined }),
);
writeFileSync(join(tmp, 'source.jsonl'), `${lines.join('\n')}\n`);
const store = SqliteStore.open(tmp);
try {
  const r = await importCampaigns(store, join(tmp, 'source.jsonl'), { fingerprintsOnly: true, writeLibrary: out });
  console.log(`wrote ${out}: ${r.campaigns.length} known campaigns from ${r.petitions} texts`);
} finally {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
}
