import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFingerprint } from '../src/clearinghouse/keyed-fingerprint.js';
import { SqliteClearinghouseStore } from '../src/clearinghouse/sqlite-store.js';
import { normalise } from '../src/normalise/normalise.js';
import { fingerprint } from '../src/signals/fingerprint/minhash.js';
import { airCampaign, OFFICE_EDITS, RESIDENTS } from './helpers/clearinghouse-texts.js';
import { sitoSync, tempDir } from './helpers/sito-process.js';

const SECRET = 'sekret-federacji-wojewodztwa-2024';
const keyed = (text: string) => keyFingerprint(fingerprint(normalise(text).folded), SECRET);

describe('sito clearinghouse import-published', () => {
  const published = [
    { office: 'gmina-zalesie', url: 'https://bip.zalesie.example/petycje/17', published_at: '2024-05-20', text: airCampaign(OFFICE_EDITS[0]!) },
    { office: 'gmina-brzozowka', url: 'https://brzozowka.example/petycja-18-2024', published_at: '2024-05-21T10:00:00+02:00', text: airCampaign(OFFICE_EDITS[1]!) },
    { office: 'miasto-dabrowa', url: 'https://um.dabrowa.example/bip/petycje/23', published_at: '2024-05-24', text: airCampaign(OFFICE_EDITS[2]!) },
    { office: 'gmina-zalesie', url: 'https://bip.zalesie.example/petycje/18', published_at: '2024-05-22', text: RESIDENTS[0]! },
  ];
  const file = (lines: string[]) => {
    const f = join(tempDir('sito-pub-'), 'published.jsonl');
    writeFileSync(f, `${lines.join('\n')}\n`);
    return f;
  };

  it('counts published petitions as reports of the publishing offices, keeps no text or address, and is idempotent', async () => {
    const dir = tempDir('sito-chi-');
    const f = file(published.map((p) => JSON.stringify(p)));
    const env = { SITO_DATA_DIR: dir, SITO_FEDERATION_SECRET: SECRET, SITO_DATABASE_URL: '' };
    const first = sitoSync(['clearinghouse', 'import-published', f], { env });
    expect(first.status, first.stderr).toBe(0);
    // quiet in a pipe: one summary line, no progress
    expect(first.stderr).toBe('imported 4 published petitions (0 already there)\n');
    const again = sitoSync(['clearinghouse', 'import-published', f], { env });
    expect(again.stderr).toBe('imported 0 published petitions (4 already there)\n');

    const store = SqliteClearinghouseStore.open(dir);
    try {
      expect(await store.lookup('gmina-stare-pole', keyed(airCampaign(OFFICE_EDITS[3]!)))).toEqual({ offices: 3, first_seen: '2024-05-20', marks: { mass: 0, regular: 0 } });
      expect(await store.lookup('gmina-zalesie', keyed(airCampaign(OFFICE_EDITS[3]!)))).toMatchObject({ offices: 2 });
      expect((await store.lookup('gmina-stare-pole', keyed(RESIDENTS[0]!))).offices).toBe(1);
    } finally {
      await store.close();
    }
    const bytes = Buffer.concat(readdirSync(dir).filter((n) => n.startsWith('clearinghouse.db')).map((n) => readFileSync(join(dir, n)))).toString('latin1');
    for (const needle of ['bip.zalesie', 'petycje/17', 'dabrowa.example', 'wymiany przest', 'ochronie powietrza', 'ochronie powietrza'.normalize('NFD'), 'Kowalczyk']) expect(bytes.includes(needle), needle).toBe(false);
  });

  it('names the line of a bad record and imports nothing', async () => {
    const dir = tempDir('sito-chi-');
    const f = file([JSON.stringify(published[0]), JSON.stringify({ ...published[1], office: 'gmina brzozówka' }), JSON.stringify(published[2])]);
    const r = sitoSync(['clearinghouse', 'import-published', f], { env: { SITO_DATA_DIR: dir, SITO_FEDERATION_SECRET: SECRET, SITO_DATABASE_URL: '' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^sito: line 2: office must be an office id/);
    const store = SqliteClearinghouseStore.open(dir);
    try {
      expect((await store.stats()).reports).toBe(0);
    } finally {
      await store.close();
    }
    const bad = sitoSync(['clearinghouse', 'import-published', file(['{"office": "a", "url": "u", "published_at": "2024-01-01"}'])], { env: { SITO_DATA_DIR: dir, SITO_FEDERATION_SECRET: SECRET, SITO_DATABASE_URL: '' } });
    expect(bad.stderr).toMatch(/^sito: line 1: text/);
  });

  it('refuses to run without the federation secret', () => {
    const r = sitoSync(['clearinghouse', 'import-published', file([JSON.stringify(published[0])])], { env: { SITO_DATA_DIR: tempDir(), SITO_FEDERATION_SECRET: '' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/SITO_FEDERATION_SECRET must be at least 16 characters/);
  });
});

describe('sito clearinghouse serve: start-up checks', () => {
  it('refuses to listen beyond loopback without office keys, and refuses short keys', () => {
    const open = sitoSync(['clearinghouse', 'serve', '--host', '0.0.0.0', '--port', '0'], { env: { SITO_DATA_DIR: tempDir(), SITO_CLEARINGHOUSE_KEYS: '' } });
    expect(open.status).not.toBe(0);
    expect(open.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without office keys/);
    const short = sitoSync(['clearinghouse', 'serve', '--port', '0'], { env: { SITO_DATA_DIR: tempDir(), SITO_CLEARINGHOUSE_KEYS: 'krotki:gmina-x' } });
    expect(short.stderr).toMatch(/the key of gmina-x is shorter than 16 characters/);
  });
});
