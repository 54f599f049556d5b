import { cpus, loadavg } from 'node:os';
import { zipSync, strToU8 } from 'fflate';
import { chromium, type Browser } from 'playwright-core';
import { extractDocument } from '../../src/ingest/documents/extract.js';
import { ExtractionPool, DEFAULT_POOL } from '../../src/ingest/documents/isolate.js';
import { readDocument } from '../../src/ingest/documents/read-document.js';
import { DEFAULT_LIMITS } from '../../src/ingest/documents/types.js';
import { ocrProblem } from '../../src/ingest/documents/ocr.js';
import { CHROMIUM, CHROMIUM_FLAGS, COVER_NOTE, docxOf, emailOf, hasChromium, odtOf, pngOf, printPdf, RESIDENT_PETITION, scanOf, VENDOR_PETITION } from '../../test/helpers/documents.js';
import { table } from './corpus.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(1);

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/**
 * `npm run bench -- documents`: extraction time per kind (in this thread and through the worker
 * pool), the worker's start-up, the event loop's worst delay while a hostile zip is inflated
 * (in this thread vs in a worker), and OCR pages per second.
 */
export async function benchDocuments() {
  const runs = 15;
  const letter = `${VENDOR_PETITION}\n\n${RESIDENT_PETITION}`;
  let browser: Browser | null = null;
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  else console.log(`(${CHROMIUM} missing: PDF and OCR rows skipped)`);
  try {
    const docx = await docxOf(letter);
    const kinds: Array<[string, Uint8Array, string]> = [
      ['text (UTF-8)', Buffer.from(letter), 'text/plain'],
      ['DOCX (mammoth)', docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['ODT (fflate + xmldom)', odtOf(letter), 'application/vnd.oasis.opendocument.text'],
      ['e-mail + DOCX attachment', await emailOf({ text: COVER_NOTE, attachments: [{ filename: 'p.docx', content: docx }] }), 'message/rfc822'],
    ];
    let pdf: Buffer | null = null;
    if (browser) {
      pdf = await printPdf(browser, letter);
      kinds.push(['PDF text layer (unpdf)', pdf, 'application/pdf']);
      kinds.push(['e-mail + PDF attachment', await emailOf({ text: COVER_NOTE, attachments: [{ filename: 'p.pdf', content: pdf }] }), 'message/rfc822']);
    }
    const pool = new ExtractionPool({ ...DEFAULT_POOL, size: 1 });
    const t0 = performance.now();
    await pool.extract(Buffer.from('rozgrzewka'), 'text/plain', null, DEFAULT_LIMITS);
    const coldStart = performance.now() - t0;
    const rows: Array<Array<string | number>> = [];
    for (const [name, bytes, type] of kinds) {
      await extractDocument(bytes, type, null, DEFAULT_LIMITS);
      const inThread = await timeIt(runs, () => extractDocument(bytes, type, null, DEFAULT_LIMITS));
      const inWorker = await timeIt(runs, () => pool.extract(bytes, type, null, DEFAULT_LIMITS));
      rows.push([name, `${(bytes.byteLength / 1024).toFixed(0)} kB`, ms(inThread), ms(inWorker)]);
    }
    console.log(`\nDocument extraction, median of ${runs} (ms; no OCR)`);
    console.log(table(['kind', 'size', 'in this thread', 'through the worker pool'], rows));
    console.log(`worker start-up (tsx/JS + pdf.js, mammoth, postal-mime loaded): ${ms(coldStart)} ms, once per worker`);

    // a zip that lies about its size: 200 MB inflated (into its 1 000 declared bytes)
    const lying = Buffer.from(zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': [new Uint8Array(200 * 1024 * 1024).fill(0x20), { level: 1 }] }));
    for (let i = 0; i + 4 < lying.length; i++) {
      if (lying.readUInt32LE(i) === 0x04034b50) lying.writeUInt32LE(1000, i + 22);
      if (lying.readUInt32LE(i) === 0x02014b50) lying.writeUInt32LE(1000, i + 24);
    }
    const loop: Array<Array<string | number>> = [];
    for (const where of ['this thread', 'worker'] as const) {
      // the longest gap between ticks of a 5 ms timer: how long the server could not answer anyone
      let last = performance.now();
      let worst = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last - 5);
        last = now;
      }, 5);
      const s = performance.now();
      await (where === 'worker' ? pool.extract(lying, 'application/octet-stream', 'bomba.docx', DEFAULT_LIMITS) : extractDocument(lying, null, 'bomba.docx', DEFAULT_LIMITS)).catch(() => undefined);
      const took = performance.now() - s;
      await new Promise((r) => setTimeout(r, 20));
      clearInterval(tick);
      loop.push([where, ms(took), ms(worst)]);
    }
    console.log('\nA DOCX whose zip lies about its size (200 MB inflated): the event loop while it is read');
    console.log(table(['read in', 'time ms', 'worst event-loop delay ms'], loop));
    await pool.close();

    const problem = ocrProblem();
    if (!browser || !pdf || problem) {
      console.log(`\nOCR skipped: ${problem ?? 'no chromium to print the scan'}`);
      return;
    }
    const scan = await scanOf(browser, pdf);
    const pages = (await extractDocument(scan, 'application/pdf', null, DEFAULT_LIMITS)).segments.flatMap((s) => (s.kind === 'pdf' ? s.pages : [])).length;
    const ocrRuns = 2;
    const scanMs = await timeIt(ocrRuns, () => readDocument(scan, 'application/pdf', null, { limits: DEFAULT_LIMITS }));
    const png = pngOf(pdf, 200);
    const imgMs = await timeIt(ocrRuns, () => readDocument(png, 'image/png', null, { limits: DEFAULT_LIMITS }));
    console.log(`\nOCR (tesseract ${'pol'}, pdftoppm at 300 dpi, grey), median of ${ocrRuns}`);
    console.log(
      table(
        ['input', 'pages', 'ms', 'pages/s'],
        [
          ['scanned PDF (A4, 150 dpi scan)', pages, ms(scanMs), (pages / (scanMs / 1000)).toFixed(2)],
          ['PNG photo of a page (200 dpi)', 1, ms(imgMs), (1 / (imgMs / 1000)).toFixed(2)],
        ],
      ),
    );
  } finally {
    await browser?.close();
    console.log(`(${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}: shared machine)`);
  }
}
