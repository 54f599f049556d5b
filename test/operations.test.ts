import { readFileSync, existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/engine.js';
import { buildApp } from '../src/http/app.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { freePort } from '../scripts/lib/serve.js';
import { thresholds } from './helpers/engine.js';
import { fixture } from './helpers/paths.js';
import { postJson, startTestServer, type Running } from './helpers/server.js';
import { serveProcess, sitoAsync, sitoSync, tempDir } from './helpers/sito-process.js';

const MARKER = 'Zgłaszamy-Wniosek-Kowalskiej-7f3a9';
const secretText = `${MARKER}: prosimy o remont drogi gminnej nr 12 w Zielonce, mieszka tu Anna Kowalska, tel. 600 100 200.`;

describe('GET /metrics', () => {
  let open: Running;
  let keyed: Running;
  beforeAll(async () => {
    open = await startTestServer();
    keyed = await startTestServer({ apiKeys: [{ key: 'in', role: 'intake' }, { key: 'an', role: 'analyst' }, { key: 'mx', role: 'metrics' }] });
  });
  afterAll(async () => {
    await open.close();
    await keyed.close();
  });

  it('counts requests, latencies, verdicts by level; names the model; gives the store size', async () => {
    expect((await postJson(`${open.url}/v1/petitions/score`, { text: fixture('vendor/led-lighting.txt') })).status).toBe(200);
    expect((await postJson(`${open.url}/v1/petitions/score`, { text: 'Prośba o ławkę.' })).status).toBe(200);
    const res = await fetch(`${open.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/sito_http_requests_total\{method="POST",route="\/v1\/petitions\/score",status="200"\} 2/);
    expect(text).toMatch(/sito_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/petitions\/score"\}/);
    expect(text).toMatch(/sito_verdicts_total\{level="high"\} 1/);
    expect(text).toMatch(/sito_verdicts_total\{level="low"\} 1/);
    expect(text).toMatch(/sito_model_info\{version="rules-v[^"]+"\} 1/);
    expect(text).toMatch(/sito_store_petitions 2/);
    expect(text).toMatch(/sito_store_bytes \d+/);
    expect(text).toMatch(/sito_process_resident_memory_bytes/);
  });

  it('with keys: an analyst key or a metrics key; not an intake key, not nobody; a metrics key reads nothing else', async () => {
    const get = (path: string, key?: string) => fetch(`${keyed.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', 'in')).status).toBe(403);
    expect((await get('/metrics', 'an')).status).toBe(200);
    expect((await get('/metrics', 'mx')).status).toBe(200);
    expect((await get('/v1/petitions', 'mx')).status).toBe(403);
  });
});

describe('backup, erasure (RODO) and retention', () => {
  it('sito backup copies the database while the service writes to it; the copy opens', async () => {
    const dataDir = tempDir();
    const s = await startTestServer({ dataDir });
    try {
      for (let i = 0; i < 20; i++) expect((await postJson(`${s.url}/v1/petitions/score`, { id: `b-${i}`, text: `Prośba nr ${i} o ławkę.` })).status).toBe(200);
      const file = `${tempDir()}/copy.db`;
      const writes = Promise.all(Array.from({ length: 20 }, (_, i) => postJson(`${s.url}/v1/petitions/score`, { id: `c-${i}`, text: `Wniosek ${i}.` })));
      const r = await sitoAsync(['backup', file], { SITO_DATA_DIR: dataDir });
      await writes;
      expect(r.status, r.stderr).toBe(0);
      const restoredDir = tempDir();
      const { copyFileSync } = await import('node:fs');
      copyFileSync(file, `${restoredDir}/sito.db`);
      const copy = SqliteStore.open(restoredDir);
      expect((await copy.getPetition('b-19'))?.text).toBe('Prośba nr 19 o ławkę.');
      expect(await copy.auditTrail({ action: 'backup', limit: 5 })).toHaveLength(0); // recorded after the copy was taken
      await copy.close();
      expect((await sitoAsync(['backup', file], { SITO_DATA_DIR: dataDir })).status).not.toBe(0); // never overwrites
    } finally {
      await s.close();
    }
  }, 60_000);

  it('sito petitions delete ID erases text, subject, sender and quoted evidence — also from the file; the fingerprint stays', async () => {
    const dataDir = tempDir();
    const s = await startTestServer({ dataDir });
    const body = { id: 'rodo-1', text: `${secretText}\n${fixture('vendor/led-lighting.txt')}`, subject: `Temat ${MARKER}`, sender: { name: 'Anna Kowalska', email: 'anna.kowalska@example.pl' } };
    expect((await postJson(`${s.url}/v1/petitions/score`, body)).status).toBe(200);
    const del = await sitoAsync(['petitions', 'delete', 'rodo-1'], { SITO_DATA_DIR: dataDir });
    expect(del.status, del.stderr).toBe(0);
    const p = (await (await fetch(`${s.url}/v1/petitions/rodo-1`)).json()) as { text: string; subject: string | null; sender: object; result: { score: number; reasons: Array<{ evidence: unknown[] }> } };
    expect(p.text).toBe('');
    expect(p.subject).toBeNull();
    expect(p.sender).toEqual({ name: null, email: null });
    expect(p.result.score).toBeGreaterThan(0.5);
    expect(p.result.reasons.every((r) => r.evidence.length === 0)).toBe(true);
    // the same template again still finds the erased petition's fingerprint
    const again = await postJson(`${s.url}/v1/petitions/score`, { id: 'rodo-2', text: body.text });
    expect((again.json.reasons as Array<{ signal: string }>).some((r) => r.signal === 'template')).toBe(true);
    expect((await sitoAsync(['petitions', 'delete', 'nope'], { SITO_DATA_DIR: dataDir })).status).not.toBe(0);
    await s.close();
    expect((await sitoAsync(['petitions', 'delete', 'rodo-2'], { SITO_DATA_DIR: dataDir })).status).toBe(0);
    for (const f of ['sito.db', 'sito.db-wal']) {
      const path = `${dataDir}/${f}`;
      if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(MARKER)), f).toBe(false);
    }
    const audit = sitoSync(['audit', '--action', 'delete'], { env: { SITO_DATA_DIR: dataDir } });
    expect(audit.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { target: string }).target)).toEqual(['rodo-2', 'rodo-1']);
  }, 60_000);

  it('sito purge --before DATE erases older petitions only, and says how many in the audit trail', async () => {
    const dataDir = tempDir();
    const lines = [
      { id: 'old-1', text: 'Stara prośba o ławkę.', received_at: '2020-03-01' },
      { id: 'old-2', text: 'Stara prośba o lampę.', received_at: '2021-03-01T10:00:00Z' },
      { id: 'new-1', text: 'Nowa prośba o chodnik.', received_at: '2026-01-10' },
    ];
    expect(sitoSync(['score'], { input: lines.map((l) => JSON.stringify(l)).join('\n'), env: { SITO_DATA_DIR: dataDir } }).status).toBe(0);
    const r = sitoSync(['purge', '--before', '2025-01-01'], { env: { SITO_DATA_DIR: dataDir } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/erased 2 petitions/);
    const store = SqliteStore.open(dataDir);
    expect((await store.getPetition('old-1'))!.text).toBe('');
    expect((await store.getPetition('old-2'))!.text).toBe('');
    expect((await store.getPetition('new-1'))!.text).toBe('Nowa prośba o chodnik.');
    expect((await store.auditTrail({ action: 'purge', limit: 5 }))[0]!.detail).toMatchObject({ petitions: 2 });
    await store.close();
    expect(sitoSync(['purge', '--before', 'yesterday'], { env: { SITO_DATA_DIR: dataDir } }).status).not.toBe(0);
  }, 60_000);

  it('SITO_RETENTION_DAYS erases petitions older than that on its own', async () => {
    const dataDir = tempDir();
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const lines = [
      { id: 'r-old', text: 'Prośba sprzed 40 dni.', received_at: old },
      { id: 'r-new', text: 'Prośba z wczoraj.', received_at: new Date(Date.now() - 86_400_000).toISOString() },
    ];
    expect(sitoSync(['score'], { input: lines.map((l) => JSON.stringify(l)).join('\n'), env: { SITO_DATA_DIR: dataDir } }).status).toBe(0);
    const s = await serveProcess({ SITO_DATA_DIR: dataDir, SITO_RETENTION_DAYS: '30' }, await freePort());
    try {
      const get = async (id: string) => ((await (await fetch(`${s.url}/v1/petitions/${id}`)).json()) as { text: string }).text;
      expect(await get('r-old')).toBe('');
      expect(await get('r-new')).toBe('Prośba z wczoraj.');
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe('structured logs', () => {
  it('never contain petition text: not when scoring, refusing, conflicting, searching or failing to parse', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const dataDir = tempDir();
    const config = loadConfig({}, { port: 0, dataDir });
    const store = SqliteStore.open(dataDir);
    const engine = new Engine({ rules: loadRules(), thresholds, store });
    const app = await buildApp({ config, engine, logger: { level: 'trace', stream } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      expect((await postJson(`${url}/v1/petitions/score`, { id: 'log-1', text: secretText, subject: MARKER, sender: { email: 'anna.kowalska@example.pl' } })).status).toBe(200);
      expect((await postJson(`${url}/v1/petitions/score`, { id: 'log-1', text: `${secretText} zmieniony` })).status).toBe(409);
      expect((await postJson(`${url}/v1/petitions/score`, `{"text": "${MARKER} niedokończony`)).status).toBe(400);
      expect((await postJson(`${url}/v1/petitions/score`, { text: secretText, store: 'tak' })).status).toBe(400);
      expect((await fetch(`${url}/v1/petitions?q=${encodeURIComponent(MARKER)}`)).status).toBe(200);
      expect((await fetch(`${url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: secretText })).status).toBe(415);
    } finally {
      await app.close();
      await store.close();
    }
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect(log).toContain('"msg":"request completed"');
    expect(log).not.toContain(MARKER);
    expect(log).not.toContain('Kowalsk');
    expect(log).not.toContain('remont drogi');
  });
});
