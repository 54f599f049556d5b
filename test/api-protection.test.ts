import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { openSession } from '../src/auth/sessions.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { startTestServer, type Running } from './helpers/server.js';
import { tempDir } from './helpers/sito-process.js';

const petition = { text: 'Wnosimy o ławkę przy przystanku.' };
const form = 'text=Kup+nasze+lampy&id=forged';

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { error?: string; message?: string } };
}

describe('API requests a browser can be made to send (no keys configured)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s.close());

  it('refuses form-encoded, multipart and text/plain bodies with 415 (the score route reads documents, not forms)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const r = await post(`${s.url}/v1/models/rollback`, form, { 'content-type': type });
      expect(r.status, type).toBe(415);
      expect(r.json.error).toBe('unsupported_media_type');
      expect(r.json.message).toMatch(/application\/json/);
    }
    // the score route also takes a document as received: a form body is not one
    for (const type of ['application/x-www-form-urlencoded', 'text/csv']) {
      const r = await post(`${s.url}/v1/petitions/score`, form, { 'content-type': type });
      expect(r.status, type).toBe(415);
      expect(r.json.message).toMatch(/application\/json/);
    }
    const listed = await (await fetch(`${s.url}/v1/petitions?q=forged`)).json();
    expect((listed as { total: number }).total).toBe(0);
  });

  it('an empty cross-site form post to a route without a body is refused too', async () => {
    const r = await fetch(`${s.url}/v1/models/rollback`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    const r2 = await fetch(`${s.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' } });
    expect(r2.status).toBe(415);
  });

  it('refuses a JSON request from another origin (403) and answers its own origin and machine clients', async () => {
    const evil = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { 'content-type': 'application/json', origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.json.error).toBe('cross_origin');
    const nul = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { 'content-type': 'application/json', origin: 'null' });
    expect(nul.status).toBe(403);
    const own = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { 'content-type': 'application/json', origin: s.url });
    expect(own.status).toBe(200);
    const machine = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { 'content-type': 'application/json; charset=utf-8' });
    expect(machine.status).toBe(200);
  });

  it('the web pages still take their forms', async () => {
    const r = await fetch(`${s.url}/logowanie`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'login=a&password=b', redirect: 'manual' });
    expect(r.status).not.toBe(415);
  });
});

describe('API requests with a clerk session cookie (keys configured)', () => {
  let s: Running;
  let session: { token: string; csrf: string };
  beforeAll(async () => {
    const dataDir = tempDir();
    const store = SqliteStore.open(dataDir);
    await store.addUser('anna', 'clerk', await hashPassword('dobre-haslo-123'));
    session = await openSession(store, 'anna');
    await store.close();
    s = await startTestServer({ dataDir, apiKeys: [{ key: 'intake-key', role: 'intake' }] });
  });
  afterAll(async () => s.close());

  const json = { 'content-type': 'application/json' };

  it('the cookie alone does not authorise a POST', async () => {
    const r = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, cookie: `sito_session=${session.token}` });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('csrf');
    const wrong = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, cookie: `sito_session=${session.token}`, 'x-csrf-token': 'guess', origin: s.url });
    expect(wrong.status).toBe(403);
    const noOrigin = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, cookie: `sito_session=${session.token}`, 'x-csrf-token': session.csrf });
    expect(noOrigin.status).toBe(403);
  });

  it('the cookie with the session’s CSRF token and a same-origin Origin or Referer does', async () => {
    const byOrigin = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, cookie: `sito_session=${session.token}`, 'x-csrf-token': session.csrf, origin: s.url });
    expect(byOrigin.status).toBe(200);
    const byReferer = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, cookie: `sito_session=${session.token}`, 'x-csrf-token': session.csrf, referer: `${s.url}/sprawdz` });
    expect(byReferer.status).toBe(200);
  });

  it('a cookie next to a wrong key is judged by the key', async () => {
    const r = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, cookie: `sito_session=${session.token}`, authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    const k = await post(`${s.url}/v1/petitions/score`, JSON.stringify(petition), { ...json, authorization: 'Bearer intake-key' });
    expect(k.status).toBe(200);
  });

  it('reading with the cookie alone still works (GET is safe)', async () => {
    const r = await fetch(`${s.url}/v1/petitions`, { headers: { cookie: `sito_session=${session.token}` } });
    expect(r.status).toBe(200);
  });
});
