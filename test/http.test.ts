import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScoreResultSchema } from '../src/decision/result.js';
import { fixture, hasShared, seedEmail } from './helpers/paths.js';
import { postJson, startTestServer, type Running } from './helpers/server.js';

describe('HTTP API without keys (loopback, single user)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startTestServer({ bodyLimit: 256 * 1024 });
  });
  afterAll(async () => s.close());
  const scoreUrl = () => `${s.url}/v1/petitions/score`;

  it.skipIf(!hasShared)('scores the seed petition high, with the contract shape and the caller id', async () => {
    const r = await postJson(scoreUrl(), { id: 'KC-2024-0153', text: seedEmail(), store: false });
    expect(r.status).toBe(200);
    const result = ScoreResultSchema.parse(r.json);
    expect(result.id).toBe('KC-2024-0153');
    expect(result.level).toBe('high');
    expect(result.track).toBe('petycje_masowe');
    expect(r.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('generates an id when the caller gives none', async () => {
    const r = await postJson(scoreUrl(), { text: fixture('genuine/pavement-email.txt') });
    expect(r.status).toBe(200);
    expect(r.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json.level).toBe('low');
    expect(r.json.track).toBe('standard');
  });

  it.each([
    ['missing text', {}, /text/],
    ['empty text', { text: '   ' }, /text must not be empty/],
    ['non-string text', { text: 42 }, /text/],
    ['bad sender e-mail type', { text: 'abc', sender: { email: 5 } }, /sender\.email/],
    ['bad date', { text: 'abc', received_at: 'wczoraj' }, /received_at/],
  ])('answers 400 naming the field for %s', async (_, body, message) => {
    const r = await postJson(scoreUrl(), body);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_request');
    expect(String(r.json.message)).toMatch(message);
  });

  it('answers 400 for malformed JSON', async () => {
    const r = await postJson(scoreUrl(), '{"text": "abc",');
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_json');
  });

  it('answers 415 for a body that is neither JSON nor a document it reads', async () => {
    const res = await fetch(scoreUrl(), { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<petycja/>' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toMatch(/application\/json/);
  });

  it('answers 413 for a body over the limit, and keeps serving', async () => {
    const r = await postJson(scoreUrl(), { text: 'a'.repeat(300 * 1024) });
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('body_too_large');
    const after = await postJson(scoreUrl(), { text: 'Prośba o ławkę.' });
    expect(after.status).toBe(200);
  });

  it('lists stored petitions with filters and paging, and finds them by text', async () => {
    for (const [id, f] of [['list-a', 'vendor/led-lighting.txt'], ['list-b', 'genuine/bakery-parking.txt'], ['list-c', 'vendor/nis2-audit.txt']] as const) {
      expect((await postJson(scoreUrl(), { id, text: fixture(f), sender: { email: `${id}@example.pl` } })).status).toBe(200);
    }
    const high = (await (await fetch(`${s.url}/v1/petitions?level=high&limit=1`)).json()) as { items: Array<{ id: string }>; total: number; total_exact: boolean };
    expect(high.items).toHaveLength(1);
    expect(high.total).toBeGreaterThanOrEqual(2);
    // counted up to 10 000: a total this small is exact
    expect(high.total_exact).toBe(true);
    const search = (await (await fetch(`${s.url}/v1/petitions?q=${encodeURIComponent('piekarnię')}`)).json()) as { items: Array<{ id: string; level: string }>; total: number; total_exact: boolean };
    expect(search.items.map((i) => i.id)).toEqual(['list-b']);
    expect(search).toMatchObject({ total: 1, total_exact: true });
    const byDeadline = (await (await fetch(`${s.url}/v1/petitions?order=deadline&limit=1`)).json()) as { total: number; total_exact: boolean };
    expect(byDeadline.total_exact).toBe(true);
    // a page past the last (or past the 10 000 a total counts to) is an empty page, not an error
    const past = await fetch(`${s.url}/v1/petitions?order=deadline&limit=5&offset=50000`);
    expect(past.status).toBe(200);
    expect(await past.json()).toMatchObject({ items: [], total: byDeadline.total, total_exact: true, offset: 50000 });
    const bad = await fetch(`${s.url}/v1/petitions?level=urgent`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/level/);
    const missing = await fetch(`${s.url}/v1/petitions/nope`);
    expect(missing.status).toBe(404);
  });

  it('reports health with the model version', async () => {
    const res = await fetch(`${s.url}/health`);
    const body = (await res.json()) as { status: string; model: { version: string }; rules: { count: number } };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.model.version).toMatch(/^rules-v1-/);
    expect(body.rules.count).toBeGreaterThanOrEqual(30);
  });

  it('serves the OpenAPI document describing the score endpoint', async () => {
    const res = await fetch(`${s.url}/openapi.json`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/petitions/score', '/health']));
    expect(JSON.stringify(doc.paths['/v1/petitions/score'])).toContain('"text"');
  });
});

describe('HTTP API with API keys', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startTestServer({ apiKeys: [{ key: 'k-one', role: 'intake' }, { key: 'k-two', role: 'analyst' }] });
  });
  afterAll(async () => s.close());

  it('refuses a request without a key or with a wrong one', async () => {
    const none = await postJson(`${s.url}/v1/petitions/score`, { text: 'abc' });
    expect(none.status).toBe(401);
    const wrong = await postJson(`${s.url}/v1/petitions/score`, { text: 'abc' }, { authorization: 'Bearer k-three' });
    expect(wrong.status).toBe(401);
  });

  it.each(['/v1/petitions', '/v1/petitions/x', '/v1/campaigns', '/v1/campaigns/x'])('refuses GET %s without a key', async (path) => {
    const res = await fetch(`${s.url}${path}`);
    expect(res.status).toBe(401);
    const withKey = await fetch(`${s.url}${path}`, { headers: { authorization: 'Bearer k-one' } });
    expect([200, 404]).toContain(withKey.status);
  });

  it('accepts any configured key', async () => {
    for (const key of ['k-one', 'k-two']) {
      const r = await postJson(`${s.url}/v1/petitions/score`, { text: 'abc' }, { authorization: `Bearer ${key}` });
      expect(r.status).toBe(200);
    }
  });
});
