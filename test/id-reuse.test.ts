import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type Running } from './helpers/server.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { sitoSync, tempDir } from './helpers/sito-process.js';

describe('a petition id is stored once (HTTP)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s.close());

  const first = { id: 'KP-2026-001', text: 'Wnosimy o remont chodnika przy ul. Polnej w Zielonce.', subject: 'Chodnik' };

  it('the same id with the same text again: 200 with the stored verdict (a retry)', async () => {
    const a = await postJson(`${s.url}/v1/petitions/score`, first);
    expect(a.status).toBe(200);
    const b = await postJson(`${s.url}/v1/petitions/score`, first);
    expect(b.status).toBe(200);
    expect(b.json).toEqual(a.json);
    const list = (await (await fetch(`${s.url}/v1/petitions?q=KP-2026-001`)).json()) as { total: number };
    expect(list.total).toBe(1);
  });

  it('the same id with another text: 409 conflict, and the stored petition is unchanged', async () => {
    const before = await (await fetch(`${s.url}/v1/petitions/KP-2026-001`)).json();
    const c = await postJson(`${s.url}/v1/petitions/score`, { id: 'KP-2026-001', text: 'Zupełnie inna treść: oferta oświetlenia LED dla gminy.' });
    expect(c.status).toBe(409);
    expect(c.json.error).toBe('conflict');
    expect(c.json.message).toMatch(/KP-2026-001/);
    const after = await (await fetch(`${s.url}/v1/petitions/KP-2026-001`)).json();
    expect(after).toEqual(before);
    expect((after as { text: string }).text).toBe(first.text);
  });

  it('scoring without storing never conflicts', async () => {
    const c = await postJson(`${s.url}/v1/petitions/score`, { id: 'KP-2026-001', text: 'Inna treść, tylko do sprawdzenia.', store: false });
    expect(c.status).toBe(200);
  });
});

describe('a petition id is stored once (sito score)', () => {
  it('a line whose id is stored with another text stops the run naming the line; nothing of it is stored', async () => {
    const dir = tempDir();
    const env = { SITO_DATA_DIR: dir };
    const one = sitoSync(['score'], { input: `${JSON.stringify({ id: 'x1', text: 'Prośba o ławkę w parku.' })}\n`, env });
    expect(one.status, one.stderr).toBe(0);
    const input = [
      { id: 'x2', text: 'Prośba o lampę przy szkole.' },
      { id: 'x1', text: 'Prośba o ławkę w parku.' },
      { id: 'x1', text: 'Inna treść pod tym samym numerem.' },
      { id: 'x3', text: 'Nigdy nie czytana.' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const r = sitoSync(['score'], { input, env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 3: id: .*x1.*already stored/);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(out.map((o) => o.id)).toEqual(['x2', 'x1']);
    const store = SqliteStore.open(dir);
    expect((await store.getPetition('x1'))!.text).toBe('Prośba o ławkę w parku.');
    expect(await store.hasPetition('x2')).toBe(true);
    expect(await store.hasPetition('x3')).toBe(false);
    await store.close();
  });
});
