import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type Running } from './helpers/server.js';
import { COVER_NOTE, CHROMIUM, CHROMIUM_FLAGS, docxOf, emailOf, hasChromium, odtOf, postDocument, postDocumentFile, printPdf, RESIDENT_PETITION, VENDOR_PETITION, type DocAnswer } from './helpers/documents.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const ODT = 'application/vnd.oasis.opendocument.text';


let server: Running;
const post = (body: Uint8Array | string, type: string, query = '') => postDocument(server.url, body, type, query);
const postFile = (body: Uint8Array, filename: string, type: string, field = 'file', query = '') => postDocumentFile(server.url, body, filename, type, field, query);
/** Every evidence span indexes document.text, and each part's offsets cut the text it names. */
const expectOffsetsHold = (a: DocAnswer) => {
  for (const r of a.reasons) for (const e of r.evidence) expect(a.document.text.slice(e.start, e.end)).toBe(e.text);
  for (const p of a.document.parts) expect(p.end).toBeGreaterThan(p.start);
};

beforeAll(async () => {
  server = await startTestServer();
}, 30_000);
afterAll(async () => server?.close());

describe('documents without a browser', { timeout: 30_000 }, () => {
  it('reads a DOCX written by the docx package and scores its text', async () => {
    const { status, json } = await post(await docxOf(RESIDENT_PETITION), DOCX, '?id=DOCX-1');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.id).toBe('DOCX-1');
    expect(json.document.text).toContain('naprawę chodnika');
    expect(json.document.parts).toEqual([{ name: 'dokument.docx', type: DOCX, role: 'body', start: 0, end: json.document.text.length, ocr: false }]);
    expect(json.level).not.toBe('high');
    expectOffsetsHold(json);
  });

  it('reads an ODT (content.xml) with its paragraphs', async () => {
    const { status, json } = await post(odtOf(VENDOR_PETITION), ODT, '?store=false');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.text).toContain('bezpłatnego audytu cyberbezpieczeństwa');
    expect(json.document.text).toContain('\n\nProsimy o udzielenie odpowiedzi');
    expect(json.level).toBe('high');
    expectOffsetsHold(json);
  });

  it('takes an e-mail: headers become sender, subject and date; the cover note is its own part; every attachment is marked', async () => {
    const eml = await emailOf({
      subject: 'Petycja - audyt',
      text: COVER_NOTE,
      attachments: [
        { filename: 'petycja.docx', content: await docxOf(VENDOR_PETITION) },
        { filename: 'uwagi.txt', content: Buffer.from('Uwagi mieszkańców do petycji.\r\n', 'utf8'), contentType: 'text/plain' },
        { filename: 'archiwum.zip', content: Buffer.from('PK\x03\x04 not really a zip'), contentType: 'application/zip' },
      ],
    });
    const { status, json } = await post(eml, 'message/rfc822', '?id=EML-1');
    expect(status, JSON.stringify(json)).toBe(200);
    const { text, parts, skipped } = json.document;
    expect(parts.map((p) => [p.name, p.role])).toEqual([
      ['treść wiadomości', 'cover_note'],
      ['petycja.docx', 'attachment'],
      ['uwagi.txt', 'attachment'],
    ]);
    expect(text.slice(parts[0]!.start, parts[0]!.end)).toContain('w załączeniu przesyłam petycję');
    expect(text.slice(parts[1]!.start, parts[1]!.end)).toContain('Wnosimy o przeprowadzenie bezpłatnego audytu');
    expect(skipped).toEqual([expect.objectContaining({ name: 'archiwum.zip', code: 'unsupported_type' })]);
    expect(json.level).toBe('high');
    expectOffsetsHold(json);
    // evidence from the attachment falls inside the attachment's part
    const free = json.reasons.find((r) => r.id === 'free_service_offer');
    expect(free?.evidence[0]!.start).toBeGreaterThanOrEqual(parts[1]!.start);

    const stored = (await (await fetch(`${server.url}/v1/petitions/EML-1`)).json()) as Record<string, unknown>;
    expect(stored.subject).toBe('Petycja - audyt');
    expect(stored.sender).toEqual({ name: 'Jan Kowalski', email: 'jan.kowalski@cybertarcza-audyt.pl' });
    expect(stored.received_at).toBe('2026-03-02T08:15:00.000Z');
    expect(stored.text).toBe(text);
  });

  it('keeps a long e-mail body as the petition (not a cover note), and reads an attached e-mail one level down', async () => {
    const inner = await emailOf({ from: 'Anna Wiśniewska <anna@example.pl>', subject: 'Chodnik', text: RESIDENT_PETITION });
    const outer = await emailOf({
      subject: 'Fwd: Chodnik',
      text: `Przekazuję petycję mieszkanki, która wpłynęła na skrzynkę sołectwa.\n\n${RESIDENT_PETITION}`,
      attachments: [{ filename: 'oryginal.eml', content: inner, contentType: 'message/rfc822' }],
    });
    const { status, json } = await post(outer, 'message/rfc822', '?store=false');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.parts.map((p) => [p.name, p.role])).toEqual([
      ['treść wiadomości', 'body'],
      ['oryginal.eml › treść wiadomości', 'attachment'],
    ]);
    expectOffsetsHold(json);
  });

  it('reads an HTML-only e-mail body as text', async () => {
    const eml = await emailOf({ subject: 'Petycja', html: `<p>Szanowni Państwo,</p><p>${VENDOR_PETITION.replace(/\n\n/g, '</p><p>')}</p><img src="cid:logo">` });
    const { status, json } = await post(eml, 'message/rfc822', '?store=false');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.text).toMatch(/^Szanowni Państwo,\n\nSzanowny Pan Wójt/);
    expect(json.document.text).not.toContain('<p>');
    expect(json.level).toBe('high');
  });

  it('reads Windows-1250 plain text, and takes multipart/form-data with the field "file"', async () => {
    const cp1250 = iconv.encode('Petycja w sprawie żółtej lampy', 'windows-1250');
    const { status, json } = await postFile(cp1250, 'petycja.txt', 'text/plain', 'file', '?store=false');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.text).toBe('Petycja w sprawie żółtej lampy');
    expect(json.document.parts[0]!.name).toBe('petycja.txt');

    const wrongField = await postFile(cp1250, 'petycja.txt', 'text/plain', 'plik');
    expect(wrongField.status).toBe(400);
    expect(wrongField.json.message).toMatch(/^file: /);
  });

  it('refuses a type it does not read (415) and a declared type the bytes contradict (415), naming both', async () => {
    const gif = await post(Buffer.from('GIF89a....'), 'image/gif');
    expect(gif.status).toBe(415);
    expect(gif.json.error).toBe('unsupported_type');
    expect(gif.json.message).toContain('image/gif');
    const lying = await post(await docxOf(RESIDENT_PETITION), 'application/pdf');
    expect(lying.status).toBe(415);
    expect(lying.json).toMatchObject({ error: 'type_mismatch' });
    expect(lying.json.message).toMatch(/application\/pdf.*DOCX/);
    const empty = await post(Buffer.alloc(0), 'application/pdf');
    expect(empty.status).toBe(422);
  });

  it('still scores JSON bodies as before', async () => {
    const r = await fetch(`${server.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: RESIDENT_PETITION, store: false }) });
    expect(r.status).toBe(200);
    const json = (await r.json()) as Record<string, unknown>;
    expect(json.document).toBeUndefined();
    expect(json.level).toBeDefined();
  });
});

if (!hasChromium) console.warn(`[sito tests] ${CHROMIUM} is missing: the PDF fixtures printed by chromium are skipped (.ci/run installs it)`);

describe.skipIf(!hasChromium)('PDFs printed by chromium', { timeout: 30_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  }, 60_000);
  afterAll(async () => browser?.close());

  it('reads the text layer of a PDF and scores it', async () => {
    const pdf = await printPdf(browser, VENDOR_PETITION);
    const { status, json } = await post(pdf, 'application/pdf', '?store=false');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.text).toContain('bezpłatnego audytu cyberbezpieczeństwa');
    expect(json.document.parts).toEqual([expect.objectContaining({ name: 'dokument.pdf', type: 'application/pdf', ocr: false })]);
    expect(json.level).toBe('high');
    expectOffsetsHold(json);
  }, 30_000);

  it('reads an e-mail whose petition is an attached PDF, the cover note apart', async () => {
    const pdf = await printPdf(browser, VENDOR_PETITION);
    const eml = await emailOf({ text: COVER_NOTE, attachments: [{ filename: 'Petycja 2026.pdf', content: pdf }] });
    const { status, json } = await postFile(eml, 'petycja.eml', 'application/octet-stream', 'file', '?store=false');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.parts.map((p) => [p.name, p.role, p.type])).toEqual([
      ['treść wiadomości', 'cover_note', 'text/plain'],
      ['Petycja 2026.pdf', 'attachment', 'application/pdf'],
    ]);
    expect(json.level).toBe('high');
    expectOffsetsHold(json);
  });
});
