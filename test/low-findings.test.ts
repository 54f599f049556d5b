import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { openSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/engine.js';
import { buildApp } from '../src/http/app.js';
import { CsvError, readLabelledCsv } from '../src/ingest/labelled-csv.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { thresholds } from './helpers/engine.js';
import { postJson, startTestServer, type Running } from './helpers/server.js';
import { tempDir } from './helpers/sito-process.js';

describe('request input (HTTP)', () => {
  let s: Running;
  let cookie = '';
  beforeAll(async () => {
    const dataDir = tempDir();
    const store = SqliteStore.open(dataDir);
    await store.addUser('kasia', 'clerk', await hashPassword('Bardzo-Tajne-Haslo-2026'));
    cookie = `sito_session=${(await openSession(store, 'kasia')).token}`;
    await store.close();
    s = await startTestServer({ dataDir });
  });
  afterAll(async () => s.close());
  const score = (body: unknown) => postJson(`${s.url}/v1/petitions/score`, body);

  it('a lone surrogate in any text field is refused with 400 naming the field; pairs (emoji) are kept exactly', async () => {
    for (const [field, body] of [
      ['text', { text: 'Prośba \ud800 o ławkę' }],
      ['subject', { text: 'Prośba', subject: 'x\udc00' }],
      ['sender.email', { text: 'Prośba', sender: { email: 'a\ud800@b.pl' } }],
      ['id', { text: 'Prośba', id: 'id-\ud800' }],
    ] as const) {
      const r = await score(body);
      expect(r.status, field).toBe(400);
      expect(r.json.message).toMatch(new RegExp(`${field.replace('.', '\\.')}.*lone UTF-16 surrogate`));
    }
    const text = 'Prośba 📎 o ławkę przy g1ant.com';
    expect((await score({ id: 'emoji', text })).status).toBe(200);
    const stored = (await (await fetch(`${s.url}/v1/petitions/emoji`)).json()) as { text: string };
    expect(stored.text).toBe(text);
  });

  it('ids: at most 100 characters, the same for storing and reading', async () => {
    const long = 'x'.repeat(101);
    const r = await score({ id: long, text: 'Prośba o ławkę.' });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/id.*100/);
    const ok = 'y'.repeat(100);
    expect((await score({ id: ok, text: 'Prośba o ławkę.' })).status).toBe(200);
    expect((await fetch(`${s.url}/v1/petitions/${ok}`)).status).toBe(200);
  });

  it('repeated query parameters and huge page numbers are answered, not 500', async () => {
    const page = (path: string) => fetch(`${s.url}${path}`, { headers: { cookie } });
    expect((await page('/skrzynka?q=a&q=b')).status).toBe(200);
    expect((await page('/kampanie?strona=368934881474191033')).status).toBe(200);
    expect((await page('/kampanie/nope?strona=368934881474191033')).status).toBe(404);
    expect((await page('/skrzynka?strona=1e300&poziom=high&poziom=low')).status).toBe(200);
    expect((await fetch(`${s.url}/v1/petitions?q=a&q=b`)).status).toBe(200);
    const huge = await fetch(`${s.url}/v1/petitions?offset=368934881474191033`);
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { message: string }).message).toMatch(/offset/);
  });

  it('"__proto__" in a body: 400 that names the key', async () => {
    const r = await score('{"text": "Prośba", "__proto__": {"store": false}}');
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/__proto__/);
    const c = await score('{"text": "Prośba", "constructor": {"prototype": {"x": 1}}}');
    expect(c.status).toBe(400);
  });

  it('x-request-id: a short token is kept, anything long or odd replaced', async () => {
    const kept = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'intake-42.a' } });
    expect(kept.headers.get('x-request-id')).toBe('intake-42.a');
    const long = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'a'.repeat(5000) } });
    expect(long.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('server limits', () => {
  async function app(overrides: Parameters<typeof loadConfig>[1] = {}) {
    const dataDir = tempDir();
    const store = SqliteStore.open(dataDir);
    const engine = new Engine({ rules: loadRules(), thresholds, store });
    const a = await buildApp({ config: loadConfig({}, { port: 0, dataDir, ...overrides }), engine, logger: false });
    await a.listen({ host: '127.0.0.1', port: 0 });
    const port = (a.server.address() as { port: number }).port;
    return { store, port, url: `http://127.0.0.1:${port}`, close: async () => (await a.close(), store.close()) };
  }

  it("an idle keep-alive connection stays open past node's 5 s, so a client sending on it again is not reset", async () => {
    const a = await app();
    try {
      const sock = connect(a.port, '127.0.0.1');
      sock.on('error', () => {});
      let answer = '';
      let closed = false;
      sock.on('data', (d) => (answer += d.toString()));
      sock.on('close', () => (closed = true));
      const get = () => sock.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => sock.once('connect', r));
      get();
      while (!/\r\n\r\n[\s\S]*\}/.test(answer)) await new Promise((r) => setTimeout(r, 20));
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer.toLowerCase()).toContain('keep-alive: timeout=72');
      // longer than node's default keep-alive (5 s), which the server had before: the socket was closed here
      await new Promise((r) => setTimeout(r, 6_000));
      expect(closed).toBe(false);
      answer = '';
      get();
      while (!closed && !/\r\n\r\n[\s\S]*\}/.test(answer)) await new Promise((r) => setTimeout(r, 20));
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      sock.destroy();
    } finally {
      await a.close();
    }
  }, 30_000);

  it('a body trickled slower than the request timeout is cut off', async () => {
    const a = await app({ requestTimeoutSeconds: 1 });
    try {
      const closed = await new Promise<string>((resolve) => {
        const sock = connect(a.port, '127.0.0.1', () => {
          sock.write('POST /v1/petitions/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":"');
          const drip = setInterval(() => sock.writable && sock.write('a'), 200);
          let answer = '';
          sock.on('data', (d) => (answer += d.toString()));
          sock.on('close', () => {
            clearInterval(drip);
            resolve(answer);
          });
          sock.on('error', () => {});
        });
      });
      expect(closed === '' || /^HTTP\/1\.1 408/.test(closed)).toBe(true);
    } finally {
      await a.close();
    }
  }, 30_000);

  it('a full disk answers 507 with a message saying so, and nothing is stored', async () => {
    const a = await app();
    try {
      const db = a.store.sync.connection;
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + 2}`);
      let last = { status: 200, json: {} as Record<string, unknown> };
      for (let i = 0; i < 50 && last.status === 200; i++) last = await postJson(`${a.url}/v1/petitions/score`, { id: `full-${i}`, text: `Prośba numer ${i}: ${'treść '.repeat(2000)}` });
      expect(last.status).toBe(507);
      expect(last.json.error).toBe('storage_full');
      expect(last.json.message).toMatch(/disk .* full/);
    } finally {
      await a.close();
    }
  });

  it('cookies are Secure behind a TLS proxy only when SITO_TRUST_PROXY names it', async () => {
    const direct = await app();
    const proxied = await app({ trustProxy: ['127.0.0.1'] });
    try {
      const via = (url: string) => fetch(`${url}/logowanie`, { headers: { 'x-forwarded-proto': 'https' } });
      expect((await via(direct.url)).headers.get('set-cookie')).not.toMatch(/Secure/);
      expect((await via(proxied.url)).headers.get('set-cookie')).toMatch(/Secure/);
      expect((await fetch(`${proxied.url}/logowanie`)).headers.get('set-cookie')).not.toMatch(/Secure/);
    } finally {
      await direct.close();
      await proxied.close();
    }
  });
});

describe('labelled CSV encodings', () => {
  const read = async (path: string) => {
    try {
      for await (const _ of readLabelledCsv(path));
      return null;
    } catch (e) {
      return e as CsvError;
    }
  };

  it('a UTF-16 file is refused with a message naming UTF-16 (with or without BOM)', async () => {
    const dir = tempDir();
    const content = 'text,label\nProśba o ławkę,regular\n';
    writeFileSync(`${dir}/bom.csv`, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(content, 'utf16le')]));
    writeFileSync(`${dir}/nobom.csv`, Buffer.from(content, 'utf16le'));
    for (const f of ['bom.csv', 'nobom.csv']) {
      const e = await read(`${dir}/${f}`);
      expect(e, f).toBeInstanceOf(CsvError);
      expect(e!.message).toMatch(/UTF-16/);
    }
  });

  it('a file that is UTF-8 for its first 64 KiB and Windows-1250 later is refused, naming the line', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 2000 }, (_, i) => `"Prośba numer ${i} o ławkę w parku miejskim",regular`);
    const head = Buffer.from(`text,label\n${rows.join('\n')}\n`, 'utf8');
    expect(head.length).toBeGreaterThan(65536);
    const tail = iconv.encode('"Żądamy naprawy drogi",mass\n', 'win1250');
    writeFileSync(`${dir}/mixed.csv`, Buffer.concat([head, tail]));
    const e = await read(`${dir}/mixed.csv`);
    expect(e).toBeInstanceOf(CsvError);
    expect(e!.message).toMatch(/line 2002.*Windows-1250/);
  });
});
