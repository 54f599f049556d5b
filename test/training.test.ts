import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import autocannon from 'autocannon';
import { freePort } from '../scripts/lib/serve.js';
import { repoRoot } from './helpers/paths.js';
import { serveProcess, sitoSync, tempDir, type ServeProcess } from './helpers/sito-process.js';

type Row = { id: string; label: string; family: string; text: string };
const corpus = parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Row[];

/** Every third petition of the project's corpus: 169 rows, both labels, all families. */
function smallCsv(dir: string): string {
  const file = `${dir}/small.csv`;
  writeFileSync(file, stringify(corpus.filter((_, i) => i % 3 === 0), { header: true, columns: ['id', 'label', 'family', 'text'] }));
  return file;
}

describe('training, evaluation and model versions (CLI)', () => {
  const dir = tempDir();
  const env = { SITO_DATA_DIR: dir };
  let version = '';

  it('trains a version with a model card and compares it with the active model', () => {
    const r = sitoSync(['train', smallCsv(dir)], { env });
    expect(r.status, r.stderr).toBe(0);
    version = /trained (\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toMatch(/cross-validation \(5 folds, grouped by family\): recall of mass 0\.\d+/);
    expect(r.stdout).toMatch(/ROC-AUC/);
    const list = sitoSync(['model', 'list'], { env });
    expect(list.stdout).toContain(version);
    expect(list.stdout).toMatch(/^\* default-/m);
  });

  it('evaluates versions side by side, per family', () => {
    const r = sitoSync(['evaluate', `${repoRoot}/data/petitions.csv`, '--model', 'rules', version], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/recall of mass \(high\)/);
    expect(r.stdout).toMatch(/PR-AUC/);
    expect(r.stdout).toMatch(/per family/);
    expect(r.stdout).toContain(version);
  });

  it('activates and rolls back', () => {
    expect(sitoSync(['model', 'activate', version], { env }).status).toBe(0);
    expect(sitoSync(['model', 'list'], { env }).stdout).toMatch(new RegExp(`^\\* ${version}`, 'm'));
    const back = sitoSync(['model', 'rollback'], { env });
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/activated default-/);
  });

  it('refuses a file with a single class, and an unknown version', () => {
    const one = `${dir}/one.csv`;
    writeFileSync(one, 'text,label\nPetycja pierwsza o chodnik,regular\nPetycja druga o lampy,regular\n');
    const r = sitoSync(['train', one], { env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/all 2 petitions are labelled regular/);
    const v = sitoSync(['model', 'activate', 'nope'], { env });
    expect(v.status).not.toBe(0);
    expect(v.stderr).toMatch(/no model version nope/);
  });

  it('refuses to activate a model trained with other rules', () => {
    const path = `${dir}/models/${version}.json`;
    const a = JSON.parse(readFileSync(path, 'utf8')) as { rules: { ids: string[] } };
    a.rules.ids = [...a.rules.ids.slice(1), a.rules.ids[0]!];
    writeFileSync(path, JSON.stringify(a));
    const r = sitoSync(['model', 'activate', version], { env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/another rule set/);
  });
});

describe('models over HTTP', () => {
  let s: ServeProcess;
  const dir = tempDir();
  const keys = { intake: 'intake-key', analyst: 'analyst-key' };
  beforeAll(async () => {
    s = await serveProcess({ SITO_DATA_DIR: dir, SITO_API_KEYS: `${keys.intake},${keys.analyst}:analyst` }, await freePort());
  });
  afterAll(async () => s.stop());
  const auth = (k: string) => ({ authorization: `Bearer ${k}` });

  it('lets only the analyst role see and train models', async () => {
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${s.url}/v1/models`, { headers: auth(keys.intake) })).status).toBe(403);
    const list = (await (await fetch(`${s.url}/v1/models`, { headers: auth(keys.analyst) })).json()) as { items: Array<{ version: string; active: boolean }> };
    expect(list.items.find((m) => m.active)?.version).toMatch(/^default-/);
  });

  it('trains from an uploaded CSV, refuses a bad one with its line number, and activates without a lost request under load', async () => {
    const csv = readFileSync(smallCsv(dir));
    const bad = await fetch(`${s.url}/v1/models`, { method: 'POST', headers: { ...auth(keys.analyst), 'content-type': 'text/csv' }, body: 'text,label\nabc,spam\n' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/line 2, column label/);

    const res = await fetch(`${s.url}/v1/models`, { method: 'POST', headers: { ...auth(keys.analyst), 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(201);
    const { version } = (await res.json()) as { version: string };

    const body = JSON.stringify({ text: corpus[0]!.text, store: false });
    const load = autocannon({ url: `${s.url}/v1/petitions/score`, method: 'POST', headers: { 'content-type': 'application/json', ...auth(keys.intake) }, body, connections: 8, amount: 1500 });
    const versionsSeen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const path = i % 2 === 0 ? `/v1/models/${version}/activate` : '/v1/models/rollback';
      const a = await fetch(`${s.url}${path}`, { method: 'POST', headers: auth(keys.analyst) });
      expect(a.status).toBe(200);
      const probe = (await (await fetch(`${s.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(keys.intake) }, body })).json()) as { model: { version: string } };
      versionsSeen.add(probe.model.version);
    }
    const result = await load;
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.requests.total).toBe(1500);
    expect(versionsSeen.size).toBe(2);
  }, 120_000);
});
