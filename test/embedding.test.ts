import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbedding, MODEL_NAME } from '../scripts/embedding/build-embedding.js';
import { freePort } from '../scripts/lib/serve.js';
import { loadConfig } from '../src/config.js';
import { attachEmbedding, openRuntime } from '../src/runtime.js';
import { cosine, loadEmbedder, type Embedder } from '../src/signals/embedding/embedder.js';
import { fixture, repoRoot } from './helpers/paths.js';
import { serveProcess, sitoAsync, tempDir } from './helpers/sito-process.js';

const committed = `${repoRoot}/models/${MODEL_NAME}`;

describe('the project’s embedding model', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    const r = await loadEmbedder(MODEL_NAME);
    expect(r.status.problem).toBeNull();
    embedder = r.embedder!;
  }, 60_000);

  it('is rebuilt byte for byte from the repository by npm run build:embedding', async () => {
    const out = `${tempDir()}/`;
    await buildEmbedding(out);
    const files = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes('.')).sort();
    expect(files(out)).toEqual(files(committed));
    for (const f of files(committed)) expect(readFileSync(`${out}${f}`).equals(readFileSync(`${committed}/${f}`)), f).toBe(true);
  }, 60_000);

  it('loads offline (a table look-up: a static model) and gives normalised vectors of its dimension', async () => {
    const [a, b] = await embedder.embed(['Petycja w sprawie chodnika', 'Petycja w sprawie chodnika']);
    expect(embedder.dimension).toBe(96);
    expect(a!.length).toBe(96);
    expect(Math.sqrt(cosine(a!, a!))).toBeCloseTo(1, 5);
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('puts related texts closer than unrelated ones, also across inflection and diacritics', async () => {
    const [offer, paraphrase, pavement, noDiacritics] = await embedder.embed([
      'Oferujemy bezpłatny audyt cyberbezpieczeństwa dla urzędu gminy i prosimy o kontakt do informatyka.',
      'Proponujemy darmową analizę bezpieczeństwa systemów urzędu; prosimy o dane osoby odpowiedzialnej za informatykę.',
      'Mieszkańcy ulicy Lipowej proszą o naprawę zapadniętego chodnika, po którym dzieci chodzą do szkoły.',
      'Oferujemy bezplatny audyt cyberbezpieczenstwa dla urzedu gminy i prosimy o kontakt do informatyka.',
    ]);
    expect(cosine(offer!, paraphrase!)).toBeGreaterThan(cosine(offer!, pavement!));
    expect(cosine(offer!, noDiacritics!)).toBeGreaterThan(0.95); // ł has no diacritic to strip: bezpłatny ≠ bezplatny
  });

  it('batches concurrent requests and keeps their order', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `Petycja numer ${i} w sprawie ${i % 2 ? 'lamp' : 'drzew'}`);
    const one = await Promise.all(texts.map((t) => embedder.embed([t]).then((v) => v[0]!)));
    const all = await embedder.embed(texts);
    one.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(all[i]!)));
  });
});

describe('sito model fetch', () => {
  it('downloads a model from a hub-like mirror into SITO_MODELS_DIR, where the offline loader finds it', async () => {
    const { createServer } = await import('node:http');
    const requests: string[] = [];
    // a mirror on loopback in the hub's layout: /<owner>/<name>/resolve/main/<file>
    const server = createServer((req, res) => {
      requests.push(req.url!);
      const m = /^\/sito\/static-pl\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      try {
        if (!m) throw new Error('not found');
        res.end(readFileSync(`${committed}/${decodeURIComponent(m[1]!)}`));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const models = tempDir();
    const r = await sitoAsync(['model', 'fetch', 'sito/static-pl', '--no-quantized', '--hub', `http://127.0.0.1:${port}/`, '--prefix', 'query: '], { SITO_MODELS_DIR: models });
    server.close();
    expect(r.status, r.stderr).toBe(0);
    expect(requests).toContain('/sito/static-pl/resolve/main/onnx/model.onnx');
    expect(JSON.parse(readFileSync(`${models}/sito/static-pl/sito-embedding.json`, 'utf8')).prefix).toBe('query: ');
    const loaded = await loadEmbedder('sito/static-pl', models);
    expect(loaded.status.problem).toBeNull();
    expect(loaded.embedder!.dimension).toBe(96);
  }, 60_000);
});

describe('a missing embedding model', () => {
  it('is reported, not fatal', async () => {
    const r = await loadEmbedder('no-such-model');
    expect(r.embedder).toBeNull();
    expect(r.status.problem).toMatch(/no model no-such-model/);
  });

  describe('in the service', () => {
    let s: Awaited<ReturnType<typeof serveProcess>>;
    beforeAll(async () => {
      s = await serveProcess({ SITO_DATA_DIR: tempDir(), SITO_EMBEDDING_MODEL: 'no-such-model' }, await freePort());
    }, 60_000);
    afterAll(async () => s.stop());

    it('starts without the semantic signal and says so in /health and in each result', async () => {
      const health = (await (await fetch(`${s.url}/health`)).json()) as { embedding: { loaded: boolean; problem: string }; model: { version: string; problem: string } };
      expect(health.embedding.loaded).toBe(false);
      expect(health.embedding.problem).toMatch(/no-such-model/);
      // the shipped model was trained with sito-static-pl's vectors: it is refused, and the rules score
      expect(health.model.problem).toMatch(/trained with embedding model sito-static-pl/);
      expect(health.model.version).toMatch(/^rules-/);
      const r = (await (await fetch(`${s.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Prośba o ławkę w parku.' }) })).json()) as { model: { embedding: string | null } };
      expect(r.model.embedding).toBeNull();
    });
  });
});

describe('the semantic signal', () => {
  it('finds a stored high-risk petition behind a paraphrase the fingerprints miss, and stores vectors across restarts', async () => {
    const dir = tempDir();
    const config = loadConfig({}, { dataDir: dir });
    const rt = await openRuntime(config);
    await attachEmbedding(rt, config);
    const original = fixture('vendor/led-lighting.txt');
    const vec = async (t: string) => (await rt.embedder!.embed([t]))[0];
    const first = await rt.engine.score({ id: 'led-1', text: original, store: true }, await vec(original));
    expect(first.level).toBe('high');
    expect(first.model.embedding).toBe(MODEL_NAME);
    // the same offer rephrased by hand, clause by clause: hardly a word pair in common, so no template match
    const reworded = fixture('paraphrase/led-lighting-rephrased.txt');
    const second = await rt.engine.score({ id: 'led-2', text: reworded, store: true }, await vec(reworded));
    const semantic = second.reasons.find((r) => r.signal === 'embedding');
    expect(second.reasons.some((r) => r.signal === 'template')).toBe(false);
    expect(semantic?.neighbour).toBe('led-1');
    expect(semantic!.similarity!).toBeGreaterThanOrEqual(0.8);
    expect(semantic!.contribution).toBeGreaterThan(0);
    await rt.close();

    const again = await openRuntime(config);
    await attachEmbedding(again, config);
    const third = await again.engine.score({ id: 'led-3', text: reworded, store: false }, (await again.embedder!.embed([reworded]))[0]);
    expect(third.reasons.find((r) => r.signal === 'template' || r.signal === 'embedding')).toBeTruthy();
    await again.close();
  }, 60_000);
});
