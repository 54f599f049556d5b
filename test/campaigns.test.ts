import { writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/engine.js';
import { normalise } from '../src/normalise/normalise.js';
import { openRuntime } from '../src/runtime.js';
import { compare, fingerprint } from '../src/signals/fingerprint/minhash.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { SqliteStore, SqliteStoreSync } from '../src/storage/sqlite-store.js';
import { thresholds } from './helpers/engine.js';
import { fixture, hasShared, repoRoot, seedBip, seedEmail } from './helpers/paths.js';
import { freePort } from '../scripts/lib/serve.js';
import { serveProcess, sitoSync, tempDir, type ServeProcess } from './helpers/sito-process.js';

const rules = loadRules();
const fp = (t: string) => fingerprint(normalise(t).folded);

/** A variant of a template as another office receives it: other office, date, number. */
function variant(text: string, n: number): string {
  return text
    .replace(/2024\/01/g, `2024/${10 + n}`)
    .replace(/06 Maja 2024/g, `${n + 1} czerwca 2024`)
    .replace(/Urzędem Gminy/g, `Urzędem Miasta Nr ${n}`);
}

describe('fingerprints', () => {
  it.skipIf(!hasShared)('see the two seed forms as one template (the short one contained in the long one)', () => {
    const s = compare(fp(seedEmail()), fp(seedBip()));
    expect(s.containment).toBeGreaterThan(0.8);
  });

  it('are robust to a tenth of the words changed, reordered paragraphs and stripped diacritics', () => {
    const base = fixture('vendor/led-lighting.txt');
    const words = base.split(' ');
    const edited = words.map((w, i) => (i % 10 === 3 ? 'zmienione' : w)).join(' ');
    const paragraphs = base.split('\n\n');
    const reordered = [...paragraphs.slice(2), ...paragraphs.slice(0, 2)].join('\n\n');
    const stripped = base.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l');
    for (const v of [edited, reordered, stripped]) expect(compare(fp(base), fp(v)).similarity).toBeGreaterThan(0.5);
  });

  it('keep unrelated petitions apart', () => {
    const a = fp(fixture('genuine/school-bus-parents-law.txt'));
    const b = fp(fixture('genuine/zoning-lawyer.txt'));
    expect(compare(a, b).jaccard).toBeLessThan(0.1);
  });
});

describe('campaigns in the store', () => {
  const open: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  const runtime = async (dir: string) => {
    const r = await openRuntime(loadConfig({}, { dataDir: dir }));
    open.push(r);
    return r;
  };

  it.skipIf(!hasShared)('stores the two seed forms as one campaign of size 2; a third variant joins; residents join nothing', async () => {
    const { engine, store } = await runtime(tempDir());
    const first = await engine.score({ id: 'mail', text: seedEmail(), store: true, sender: { email: 'tom@g1ant.com' } });
    expect(first.campaign).toBeNull();
    const second = await engine.score({ id: 'bip', text: seedBip(), store: true });
    expect(second.campaign?.size).toBe(2);
    const reason = second.reasons.find((r) => r.signal === 'template');
    expect(reason?.similarity).toBeGreaterThan(0.8);
    expect(reason?.contribution).toBeGreaterThan(0);
    const third = await engine.score({ id: 'third', text: variant(seedBip(), 3), store: true, sender: { email: 'tom@g1ant.com' } });
    expect(third.campaign).toEqual({ id: second.campaign!.id, size: 3 });
    for (const f of ['genuine/pavement-email.txt', 'genuine/zoning-lawyer.txt', 'genuine/solectwo-grant.txt']) {
      expect((await engine.score({ text: fixture(f), store: true })).campaign).toBeNull();
    }
    const c = (await store.campaign(second.campaign!.id))!;
    expect(c.size).toBe(3);
    expect(c.distinct_senders).toBe(1);
    expect((await store.campaignMembers(c.id, 10, 0)).items.map((m) => m.id).sort()).toEqual(['bip', 'mail', 'third']);
  });

  it('a campaign grows the mass_mailing trait with its size', async () => {
    const { engine } = await runtime(tempDir());
    const base = fixture('vendor/website-wcag.txt');
    const contributions: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await engine.score({ text: base.replace('ponad 300', `ponad ${300 + i}`), store: true });
      const t = r.reasons.find((x) => x.signal === 'template');
      if (t) contributions.push(t.contribution);
    }
    expect(contributions).toHaveLength(5);
    for (let i = 1; i < contributions.length; i++) expect(contributions[i]!).toBeGreaterThan(contributions[i - 1]!);
  });

  it('store=false reports the campaign without joining it', async () => {
    const { engine, store } = await runtime(tempDir());
    const t = fixture('vendor/nis2-audit.txt');
    await engine.score({ id: 'a', text: t, store: true });
    await engine.score({ id: 'b', text: t, store: true });
    const check = await engine.score({ id: 'c', text: t, store: false });
    expect(check.campaign?.size).toBe(2);
    expect(await store.hasPetition('c')).toBe(false);
    expect((await store.campaign(check.campaign!.id))?.size).toBe(2);
  });

  it('a known campaign labelled regular is reported but adds nothing; one labelled mass adds', async () => {
    const dir = tempDir();
    const { engine, store } = await runtime(dir);
    const lines = [
      { text: fixture('genuine/association-dog-park.txt'), family: 'dogs-template', label: 'regular' },
      { text: fixture('vendor/cashless-terminals.txt'), family: 'cashless', label: 'mass' },
    ];
    const file = `${dir}/import.jsonl`;
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const { importCampaigns } = await import('../src/cli/campaigns-command.js');
    const r = await importCampaigns(store, file, { fingerprintsOnly: true, writeLibrary: `${dir}/lib.jsonl` });
    expect(r.campaigns).toHaveLength(2);
    expect(readFileSync(`${dir}/lib.jsonl`, 'utf8')).not.toContain('Stowarzyszenie');

    const dogs = await engine.score({ text: fixture('genuine/association-dog-park.txt').replace('Torunia', 'Gniezna'), store: false });
    const dogReason = dogs.reasons.find((x) => x.signal === 'template');
    expect(dogReason?.contribution).toBe(0);
    expect(dogs.level).toBe('low');

    const noTemplate = await new Engine({ rules, thresholds }).score({ text: fixture('vendor/cashless-terminals.txt'), store: false });
    const cash = await engine.score({ text: fixture('vendor/cashless-terminals.txt'), store: false });
    expect(cash.campaign?.id).toMatch(/^known-cashless-/);
    expect(cash.score).toBeGreaterThanOrEqual(noTemplate.score);
    expect(cash.reasons.find((x) => x.signal === 'template')?.contribution).toBeGreaterThan(0);
  });
});

describe('durability', () => {
  let servers: ServeProcess[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
  });

  it('a restarted server on the same data folder finds every petition and campaign again', async () => {
    const dir = tempDir();
    const port = await freePort();
    let s = await serveProcess({ SITO_DATA_DIR: dir }, port);
    servers.push(s);
    const t = fixture('vendor/led-lighting.txt');
    for (const id of ['p1', 'p2', 'p3']) {
      const res = await fetch(`${s.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, text: t }) });
      expect(res.status).toBe(200);
    }
    await s.stop();
    s = await serveProcess({ SITO_DATA_DIR: dir }, port);
    servers.push(s);
    const p = (await (await fetch(`${s.url}/v1/petitions/p2`)).json()) as { id: string; campaign_id: string; result: { level: string } };
    expect(p.id).toBe('p2');
    expect(p.result.level).toBe('high');
    const list = (await (await fetch(`${s.url}/v1/petitions?level=high`)).json()) as { total: number };
    expect(list.total).toBe(3);
    const c = (await (await fetch(`${s.url}/v1/campaigns/${p.campaign_id}`)).json()) as { size: number; members: { total: number; total_exact: boolean } };
    expect(c.size).toBe(3);
    expect(c.members.total).toBe(3);
    expect(c.members.total_exact).toBe(true);
  });

  it('concurrent petitions with one new template, sent to two server processes sharing the folder, form one campaign', async () => {
    const dir = tempDir();
    const a = await serveProcess({ SITO_DATA_DIR: dir }, await freePort());
    const b = await serveProcess({ SITO_DATA_DIR: dir }, await freePort());
    servers.push(a, b);
    const t = fixture('vendor/website-wcag.txt');
    const sends = Array.from({ length: 24 }, (_, i) =>
      fetch(`${(i % 2 ? a : b).url}/v1/petitions/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `c${i}`, text: t.replace('ponad 300', `ponad ${300 + i}`), sender: { email: `office${i}@example.pl` } }),
      }).then((r) => r.json() as Promise<{ campaign: { id: string } | null }>),
    );
    const results = await Promise.all(sends);
    const ids = new Set(results.map((r) => r.campaign?.id).filter(Boolean));
    expect(ids.size).toBe(1);
    const campaigns = (await (await fetch(`${a.url}/v1/campaigns?limit=200`)).json()) as { items: Array<{ source: string; size: number; distinct_senders: number }> };
    const local = campaigns.items.filter((c) => c.source === 'local');
    expect(local).toHaveLength(1);
    expect(local[0]!.size).toBe(24);
    expect(local[0]!.distinct_senders).toBe(24);
  });

  it('a read-only data folder is a clear error at start-up', () => {
    const dir = tempDir();
    chmodSync(dir, 0o555);
    const r = sitoSync(['score', '-', '--no-store'], { input: '{"text": "abc"}\n', env: { SITO_DATA_DIR: `${dir}/data` }, unprivileged: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/SITO_DATA_DIR/);
  });

  it('a read-only database file is a clear error at start-up', () => {
    const dir = tempDir();
    SqliteStoreSync.open(dir).close();
    chmodSync(`${dir}/sito.db`, 0o444);
    const r = sitoSync(['campaigns', 'list'], { env: { SITO_DATA_DIR: dir }, unprivileged: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not writable/);
  });

  it('a corrupt database file is a clear error at start-up, and is left as it was', () => {
    const dir = tempDir();
    const garbage = 'this is not a database '.repeat(500);
    writeFileSync(`${dir}/sito.db`, garbage);
    const r = sitoSync(['serve', '--port', '0'], { env: { SITO_DATA_DIR: dir } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/damaged or not a Sito database/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(readFileSync(`${dir}/sito.db`, 'utf8')).toBe(garbage);
  });
});

describe('the shipped library of known campaigns', () => {
  const src = `${repoRoot}/data/known-campaigns-source`;
  const manifest = JSON.parse(readFileSync(`${src}/manifest.json`, 'utf8')) as { campaigns: Array<{ file: string; family: string; label: string }> };

  it('is reproduced byte for byte from the repository, and holds no petition text', async () => {
    const dir = tempDir();
    const lines = manifest.campaigns.map((c: { file: string; family: string; label: string; sender?: string | null; first_seen?: string | null }) =>
      JSON.stringify({ text: readFileSync(`${src}/${c.file}`, 'utf8'), family: c.family, label: c.label, sender: c.sender ?? undefined, received_at: c.first_seen ?? undefined }),
    );
    writeFileSync(`${dir}/in.jsonl`, lines.join('\n'));
    const store = SqliteStore.open(dir);
    const { importCampaigns } = await import('../src/cli/campaigns-command.js');
    await importCampaigns(store, `${dir}/in.jsonl`, { fingerprintsOnly: true, writeLibrary: `${dir}/lib.jsonl` });
    await store.close();
    const shipped = readFileSync(`${repoRoot}/data/known-campaigns.jsonl`, 'utf8');
    expect(readFileSync(`${dir}/lib.jsonl`, 'utf8')).toBe(shipped);
    expect(shipped).not.toMatch(/defibrylator|wybieg/i);
  });

  it('lets an office with an empty database recognise a known template on day one', async () => {
    const r = await openRuntime(loadConfig({}, { dataDir: tempDir() }));
    try {
      const aed = readFileSync(`${src}/aed-defibrillators.txt`, 'utf8').replace('Wójt/Burmistrz/Prezydent Miasta', 'Burmistrz Miasta Łask');
      const res = await r.engine.score({ text: aed, store: true });
      expect(res.campaign?.id).toMatch(/^known-aed-vendor-/);
      const reason = res.reasons.find((x) => x.signal === 'template')!;
      expect(reason.contribution).toBeGreaterThan(0);
      expect(reason.description).toMatch(/znaną kampanią masową/);

      const dogs = readFileSync(`${src}/dog-park-residents-template.txt`, 'utf8').replace('naszym osiedlu', 'osiedlu Zielone Wzgórze w Kole');
      const d = await r.engine.score({ text: dogs, store: true });
      expect(d.reasons.find((x) => x.signal === 'template')?.contribution).toBe(0);
      expect(d.level).toBe('low');
    } finally {
      await r.close();
    }
  });
});
