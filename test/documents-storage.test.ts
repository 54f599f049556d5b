import { signIn as signInAs } from './helpers/sign-in.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { startTestServer, type Running } from './helpers/server.js';
import { tempDir } from './helpers/sito-process.js';
import { COVER_NOTE, docxOf, emailOf, RESIDENT_PETITION, VENDOR_PETITION } from './helpers/documents.js';

let server: Running;
const dir = tempDir();
const PASSWORD = 'Bardzo-Tajne-Haslo-2026';

/** Signs in through the login form as a clerk would; returns the session cookie. */
const signIn = () => signInAs(server.url, 'kasia', PASSWORD);

beforeAll(async () => {
  const store = SqliteStore.open(dir);
  await store.addUser('kasia', 'clerk', await hashPassword(PASSWORD));
  await store.close();
  server = await startTestServer({ dataDir: dir });
}, 30_000);
afterAll(async () => server?.close());

describe('stored documents', { timeout: 30_000 }, () => {
  let eml: Buffer;
  beforeAll(async () => {
    eml = await emailOf({ subject: 'Petycja', text: COVER_NOTE, attachments: [{ filename: 'petycja.docx', content: await docxOf(VENDOR_PETITION) }] });
    const form = new FormData();
    form.append('file', new Blob([eml], { type: 'message/rfc822' }), 'Petycja "pilna";\r\nżółw.eml');
    const r = await fetch(`${server.url}/v1/petitions/score?id=DOC-1`, { method: 'POST', body: form });
    expect(r.status, await r.clone().text()).toBe(200);
  }, 30_000);

  it('keeps the original: GET /v1/petitions/:id/document returns it byte for byte, with a safe Content-Disposition', async () => {
    const r = await fetch(`${server.url}/v1/petitions/DOC-1/document`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('message/rfc822');
    const cd = r.headers.get('content-disposition')!;
    expect(cd).toMatch(/^attachment; filename="[^"\r\n;]*"; filename\*=UTF-8''/);
    expect(cd).not.toMatch(/[\r\n]/);
    expect(decodeURIComponent(cd.split("filename*=UTF-8''")[1]!)).toContain('żółw.eml');
    expect(Buffer.from(await r.arrayBuffer()).equals(eml)).toBe(true);
  });

  it('answers 404 for a petition without a document, and keeps nothing for store=false', async () => {
    await fetch(`${server.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'JSON-1', text: RESIDENT_PETITION }) });
    expect((await fetch(`${server.url}/v1/petitions/JSON-1/document`)).status).toBe(404);
    const r = await fetch(`${server.url}/v1/petitions/score?id=NS-1&store=false`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: RESIDENT_PETITION });
    expect(r.status).toBe(200);
    expect((await fetch(`${server.url}/v1/petitions/NS-1/document`)).status).toBe(404);
    // a document sent under the id of a petition stored with another text is a conflict, and not kept with it
    const other = await fetch(`${server.url}/v1/petitions/score?id=JSON-1`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: VENDOR_PETITION });
    expect(other.status).toBe(409);
    expect((await fetch(`${server.url}/v1/petitions/JSON-1/document`)).status).toBe(404);
    const bad = await fetch(`${server.url}/v1/petitions/score?store=maybe`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: RESIDENT_PETITION });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/store/);
  });

  it('the petition page offers the original for download and shows the part each highlighted phrase came from', async () => {
    const cookie = await signIn();
    const page = await (await fetch(`${server.url}/petycje/DOC-1`, { headers: { cookie } })).text();
    expect(page).toContain('href="/v1/petitions/DOC-1/document"');
    expect(page).toContain('Pobierz oryginał');
    // the cover note and the attachment under their own headings, the evidence inside the attachment's
    const cover = page.indexOf('Pismo przewodnie: treść wiadomości (tekst)</h3>');
    const attachment = page.indexOf('Załącznik: petycja.docx (DOCX)</h3>');
    expect(cover).toBeGreaterThan(0);
    expect(attachment).toBeGreaterThan(cover);
    expect(page.slice(attachment)).toMatch(/<mark class="ev"[^>]*>.*bezpłatnego audytu/);
    // the cover note's own evidence ("naszej firmy") is marked under the cover note's heading
    expect(page.slice(cover, attachment)).toMatch(/<mark class="ev"[^>]*>.*naszej firmy/);
    expect(page.slice(cover, attachment)).not.toContain('bezpłatnego audytu');
  });

  it('the check page takes the same files and stores nothing', async () => {
    const cookie = await signIn();
    const form = await (await fetch(`${server.url}/sprawdz`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const body = new FormData();
    body.append('_csrf', csrf);
    body.append('tekst', '');
    body.append('plik', new Blob([await docxOf(VENDOR_PETITION)]), 'petycja.docx');
    const r = await fetch(`${server.url}/sprawdz`, { method: 'POST', headers: { cookie }, body });
    const page = await r.text();
    expect(r.status, page.slice(0, 500)).toBe(200);
    expect(page).toContain('Wysokie ryzyko');
    expect(page).toContain('Treść: petycja.docx (DOCX)');

    const broken = new FormData();
    broken.append('_csrf', csrf);
    broken.append('plik', new Blob([Buffer.from('%PDF-1.7\n1 0 obj <<')]), 'zepsuty.pdf');
    const b = await fetch(`${server.url}/sprawdz`, { method: 'POST', headers: { cookie }, body: broken });
    expect(b.status).toBe(422);
    expect(await b.text()).toContain('Nie udało się odczytać pliku zepsuty.pdf');
  });
});
