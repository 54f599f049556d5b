import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { DocumentError } from '../src/ingest/documents/errors.js';
import { ExtractionPool } from '../src/ingest/documents/isolate.js';
import { DEFAULT_LIMITS } from '../src/ingest/documents/types.js';
import { startTestServer, type Running } from './helpers/server.js';
import { CHROMIUM, CHROMIUM_FLAGS, docxBomb, docxOf, emailOf, encryptPdf, hasChromium, hasQpdf, nestedMultipart, pdfBomb, printPdf, RESIDENT_PETITION, VENDOR_PETITION } from './helpers/documents.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A DOCX whose zip lies: it declares 1 000 bytes for a document.xml that inflates to `mb` MB. */
const lyingBombs = new Map<number, Buffer>();
function lyingDocxBomb(mb: number): Buffer {
  if (lyingBombs.has(mb)) return lyingBombs.get(mb)!;
  const b = Buffer.from(zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': [new Uint8Array(mb * 1024 * 1024).fill(0x20), { level: 1 }] }));
  for (let i = 0; i + 4 < b.length; i++) {
    const sig = b.readUInt32LE(i);
    if (sig === 0x04034b50) b.writeUInt32LE(1000, i + 22);
    if (sig === 0x02014b50) b.writeUInt32LE(1000, i + 24);
  }
  lyingBombs.set(mb, b);
  return b;
}

let server: Running;
const post = async (body: Uint8Array | string, type: string) => {
  const r = await fetch(`${server.url}/v1/petitions/score?store=false`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: r.status, json: (await r.json()) as { error?: string; message?: string; document?: { skipped: Array<{ name: string; code?: string }> } } };
};
const alive = async () => {
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const r = await fetch(`${server.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: RESIDENT_PETITION, store: false }) });
  expect(r.status).toBe(200);
};

beforeAll(async () => {
  server = await startTestServer({ documents: { maxBytes: 4 * 1024 * 1024, maxPdfPages: 5 } });
}, 30_000);
afterAll(async () => server?.close());

// the fixtures below inflate and compress hundreds of megabytes: generous test time, no timing asserted
describe('hostile and broken documents: a clear 4xx, the server alive', { timeout: 60_000 }, () => {
  it('a corrupt PDF → 422 corrupt', async () => {
    const r = await post('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nstartxref\n999999\n%%EOF', 'application/pdf');
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('corrupt');
    expect(r.json.message).toContain('dokument.pdf');
    await alive();
  });

  it('a DOCX expanding to 300 MB → 413 too_large_expanded, nothing inflated', async () => {
    const r = await post(docxBomb(300), DOCX);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ error: 'too_large_expanded' });
    expect(r.json.message).toMatch(/300\.0 MB.*SITO_DOCUMENT_EXPANDED_LIMIT/);
    await alive();
  });

  it('a DOCX whose zip lies about its size cannot inflate past what it declared → 422', async () => {
    const r = await post(lyingDocxBomb(200), DOCX);
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('corrupt');
    await alive();
  });

  it('deeply nested multiparts → 422 too_deep', async () => {
    const r = await post(nestedMultipart(500), 'message/rfc822');
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('too_deep');
    await alive();
  });

  it('e-mails attached inside e-mails, level after level → the outer message read, the too-deep attachment skipped', async () => {
    let eml = await emailOf({ text: RESIDENT_PETITION });
    for (let i = 0; i < 12; i++) eml = await emailOf({ subject: `Fwd ${i}`, text: `Przesyłam dalej (${i}).`, attachments: [{ filename: `fwd-${i}.eml`, content: eml, contentType: 'message/rfc822' }] });
    const r = await post(eml, 'message/rfc822');
    expect(r.status).toBe(200);
    expect(r.json.document!.skipped).toEqual([expect.objectContaining({ name: 'fwd-11.eml', code: 'too_deep', reason: expect.stringContaining('deeper than') })]);
    await alive();
  });

  it('an e-mail with a broken attachment → 200 with the attachment listed as skipped', async () => {
    const eml = await emailOf({ text: RESIDENT_PETITION, attachments: [{ filename: 'skan.pdf', content: Buffer.from('%PDF-1.4 garbage'), contentType: 'application/pdf' }, { filename: 'bomba.docx', content: docxBomb(100) }] });
    const r = await post(eml, 'message/rfc822');
    expect(r.status).toBe(200);
    expect(r.json.document!.skipped.map((s) => [s.name, s.code])).toEqual([
      ['skan.pdf', 'corrupt'],
      ['bomba.docx', 'too_large_expanded'],
    ]);
  });

  it('a body over SITO_DOCUMENT_LIMIT → 413; a wrong content type → 415', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x41);
    const r = await post(big, 'application/pdf');
    expect(r.status).toBe(413);
    const wrong = await post(await docxOf(VENDOR_PETITION), 'message/rfc822');
    expect(wrong.status).toBe(415);
    expect(wrong.json.error).toBe('type_mismatch');
    const zip = await post(Buffer.from(zipSync({ 'a.txt': strToU8('x') })), 'application/zip');
    expect(zip.status).toBe(415);
    await alive();
  });

  it('a PDF whose content stream inflates to 2 GB → too_large_expanded once the process grows past its memory budget', async () => {
    const pool = new ExtractionPool({ size: 1, timeoutMs: 120_000, memoryMb: 256, growthMb: 256, maxQueue: 4 });
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    try {
      await pool.extract(Buffer.from('rozgrzewka'), 'text/plain', null, DEFAULT_LIMITS);
      const before = process.memoryUsage.rss();
      const bomb = pool.extract(pdfBomb(2048), 'application/pdf', 'bomba.pdf', DEFAULT_LIMITS);
      await expect(bomb).rejects.toMatchObject({ code: 'too_large_expanded', message: expect.stringContaining('SITO_DOCUMENT_MEMORY') });
      // the budget plus what one sampling interval and the allocator's doubling can add
      expect((peak - before) / 1024 / 1024).toBeLessThan(256 * 3);
      const after = await pool.extract(Buffer.from('Petycja w sprawie ławek.'), 'text/plain', null, DEFAULT_LIMITS);
      expect(after.segments).toHaveLength(1);
    } finally {
      clearInterval(sample);
      await pool.close();
    }
  }, 120_000);

  it('a worker that runs past its time is ended and replaced; the next document is read', async () => {
    const pool = new ExtractionPool({ size: 1, timeoutMs: 300, memoryMb: 256, growthMb: 1024, maxQueue: 4 });
    try {
      const slow = pool.extract(lyingDocxBomb(200), DOCX, 'wolny.docx', DEFAULT_LIMITS);
      await expect(slow).rejects.toMatchObject({ code: 'timeout' });
      await expect(slow).rejects.toBeInstanceOf(DocumentError);
      const again = await pool.extract(Buffer.from('Petycja w sprawie ławek w parku.'), 'text/plain', null, DEFAULT_LIMITS);
      expect(again.segments[0]).toMatchObject({ kind: 'text', text: 'Petycja w sprawie ławek w parku.' });
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe.skipIf(!hasChromium)('hostile PDFs printed by chromium', { timeout: 30_000 }, () => {
  let browser: Browser;
  let pdf: Buffer;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    pdf = await printPdf(browser, VENDOR_PETITION);
  }, 60_000);
  afterAll(async () => browser?.close());

  it('a truncated PDF → 422 corrupt', async () => {
    const r = await post(pdf.subarray(0, Math.floor(pdf.length / 2)), 'application/pdf');
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('corrupt');
    await alive();
  }, 30_000);

  it.skipIf(!hasQpdf)('an encrypted PDF → 422 encrypted, saying a password is needed', async () => {
    const r = await post(encryptPdf(pdf), 'application/pdf');
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('encrypted');
    expect(r.json.message).toMatch(/password/);
    await alive();
  });

  it('a PDF over the page limit → 413 too_many_pages', async () => {
    const long = await printPdf(browser, Array.from({ length: 8 }, () => `${VENDOR_PETITION}\n\n`).join('').replace(/Zespół CyberTarcza/g, 'Zespół CyberTarcza\n\n'.repeat(30)));
    const r = await post(long, 'application/pdf');
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('too_many_pages');
    await alive();
  });
});
