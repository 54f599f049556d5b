import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type Running } from './helpers/server.js';
import { CHROMIUM, CHROMIUM_FLAGS, COVER_NOTE, emailOf, hasChromium, hasPdftoppm, hasTesseractPol, pngBomb, pngOf, printPdf, scanOf, VENDOR_PETITION } from './helpers/documents.js';

const ready = hasChromium && hasPdftoppm && hasTesseractPol;
if (!ready) console.warn('[sito tests] OCR tests skipped: they need /usr/bin/chromium, pdftoppm (poppler-utils) and tesseract with Polish (tesseract-ocr-pol); .ci/run installs them');

interface Answer {
  level: string;
  reasons: Array<{ id: string; evidence: Array<{ start: number; end: number; text: string }> }>;
  document: { text: string; parts: Array<{ name: string; role: string; ocr: boolean; start: number; end: number }>; skipped: Array<{ name: string; reason: string; code?: string }> };
  error?: string;
}

describe.skipIf(!ready)('scans and images through OCR in Polish', () => {
  let browser: Browser;
  let server: Running;
  let pdf: Buffer;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    server = await startTestServer({ documents: { ocrMaxPages: 3 } });
    pdf = await printPdf(browser, VENDOR_PETITION);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const post = async (body: Uint8Array, type: string) => {
    const r = await fetch(`${server.url}/v1/petitions/score?store=false`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: r.status, json: (await r.json()) as Answer };
  };

  it('reads a scanned PDF (no text layer) with Polish letters, marks it as OCR and flags the vendor', async () => {
    const scan = await scanOf(browser, pdf);
    const { status, json } = await post(scan, 'application/pdf');
    expect(status, JSON.stringify(json)).toBe(200);
    const text = json.document.text;
    expect(text).toMatch(/bezpłatnego audytu/);
    expect(text).toMatch(/cyberbezpieczeństwa/);
    expect(json.document.parts).toEqual([expect.objectContaining({ name: 'dokument.pdf', ocr: true })]);
    expect(json.level).toBe('high');
    for (const r of json.reasons) for (const e of r.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
  }, 120_000);

  it('reads a photographed petition attached to an e-mail as an image', async () => {
    const eml = await emailOf({ text: COVER_NOTE, attachments: [{ filename: 'zdjecie.png', content: pngOf(pdf), contentType: 'image/png' }] });
    const { status, json } = await post(eml, 'message/rfc822');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.parts.map((p) => [p.name, p.role, p.ocr])).toEqual([
      ['treść wiadomości', 'cover_note', false],
      ['zdjecie.png', 'attachment', true],
    ]);
    expect(json.document.text).toMatch(/audytu/);
  }, 120_000);

  it('ends OCR at the time limit: 422 timeout when nothing was read, and no tesseract or pdftoppm left running', async () => {
    const quick = await startTestServer({ documents: { ocrTimeoutMs: 300 } });
    try {
      const scan = await scanOf(browser, pdf, 150, 2);
      const r = await fetch(`${quick.url}/v1/petitions/score?store=false`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: scan });
      const json = (await r.json()) as { error: string; message: string };
      expect(r.status).toBe(422);
      expect(json.error).toBe('timeout');
      expect(json.message).toContain('SITO_OCR_TIMEOUT');
      const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      expect(ps.split('\n').filter((l) => l.includes('sito-ocr-'))).toEqual([]);
      expect((await fetch(`${quick.url}/health`)).status).toBe(200);
    } finally {
      await quick.close();
    }
  }, 120_000);

  it('kills OCR when the client goes away', async () => {
    // 40 pages, all to be read: without the kill OCR would go on for minutes
    const long = await startTestServer({ documents: { ocrMaxPages: 40, ocrTimeoutMs: 600_000 } });
    // OCR is at work while its scratch folder exists (between two pages no process may be running)
    const ocrActive = () => readdirSync(tmpdir()).some((f) => f.startsWith('sito-ocr-')) || execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes('sito-ocr-');
    const until = async (cond: () => boolean, what: string, tries: number) => {
      for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(cond(), what).toBe(true);
    };
    try {
      const scan = await scanOf(browser, pdf, 100, 40);
      const gone = new AbortController();
      const answer = fetch(`${long.url}/v1/petitions/score?store=false`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: scan, signal: gone.signal }).catch((e: Error) => e);
      await until(ocrActive, 'OCR started', 600);
      gone.abort();
      expect(await answer).toBeInstanceOf(Error);
      await until(() => !ocrActive(), 'OCR ended', 200);
      expect((await fetch(`${long.url}/health`)).status).toBe(200);
    } finally {
      await long.close();
    }
  }, 120_000);

  it('an image bomb (a 50 000 × 50 000 PNG of a few MB) is refused by OCR and listed as skipped; the server is unhurt', async () => {
    const eml = await emailOf({ text: COVER_NOTE, attachments: [{ filename: 'skan.png', content: pngBomb(50_000), contentType: 'image/png' }] });
    const r = await fetch(`${server.url}/v1/petitions/score?store=false`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: eml });
    const json = (await r.json()) as Answer;
    expect(r.status, JSON.stringify(json)).toBe(200);
    expect(json.document.parts.map((p) => p.role)).toEqual(['cover_note']);
    expect(json.document.skipped).toEqual([expect.objectContaining({ name: 'skan.png', code: 'corrupt', reason: expect.stringMatching(/^OCR: /) })]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 120_000);

  it('reads a scan only up to the page limit and lists the pages left unread', async () => {
    const scan = await scanOf(browser, pdf, 100, 12);
    const { status, json } = await post(scan, 'application/pdf');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.skipped).toEqual([{ name: 'dokument.pdf, strony 4–12', reason: expect.stringContaining('SITO_OCR_MAX_PAGES'), code: 'too_many_pages' }]);
    expect(json.document.text).toMatch(/audytu/);
  }, 120_000);
});
