import { DOCUMENT_ERROR_CODES, DocumentError, type DocumentErrorCode } from './errors.js';
import type { ExtractionPool } from './isolate.js';
import { DEFAULT_OCR_TOOLS, ocrImage, ocrPdfPage, ocrProblem, withScratch, writePdf, type OcrTools } from './ocr.js';
import type { DocumentLimits, DocumentPart, Extraction, ReadDocument, Skipped } from './types.js';

export interface ReadOptions {
  limits: DocumentLimits;
  /** runs the extractors off the event loop; without it they run in this thread (tests, fuzzing) */
  pool?: ExtractionPool | null;
  tools?: OcrTools;
  /** aborts the OCR child processes (the request went away) */
  signal?: AbortSignal;
}

const SEPARATOR = '\n\n';

/** "strony 3–5" / "strona 3" */
const pagesPl = (from: number, to: number) => (from === to ? `strona ${from}` : `strony ${from}–${to}`);

/**
 * Reads a document as offices receive it into the text Sito scores: the extractors (in the
 * pool's worker), then OCR of scanned pages and images (child processes, within the page and
 * time limits), then the parts laid end to end. Throws a DocumentError when nothing at all could
 * be read (the first unreadable part's reason); otherwise what could not be read is in `skipped`.
 */
export async function readDocument(bytes: Uint8Array, contentType: string | null | undefined, name: string | null, opts: ReadOptions): Promise<ReadDocument> {
  // the readers (pdf.js, mammoth, postal-mime…) load only where they run: in the pool's workers, or here when there is no pool
  const extraction = opts.pool ? await opts.pool.extract(bytes, contentType, name, opts.limits) : await (await import('./extract.js')).extractDocument(bytes, contentType, name, opts.limits);
  const doc = await assemble(extraction, opts);
  if (!doc.text.trim()) {
    const first = doc.skipped.find((s) => s.code) ?? doc.skipped[0];
    const code = (DOCUMENT_ERROR_CODES as readonly string[]).includes(first?.code ?? '') ? (first!.code as DocumentErrorCode) : 'empty';
    const why = doc.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new DocumentError(code, why ? `nothing in the document could be read (${why.slice(0, 600)})` : 'the document holds no text');
  }
  return doc;
}

async function assemble(ex: Extraction, opts: ReadOptions): Promise<ReadDocument> {
  const { limits } = opts;
  const tools = opts.tools ?? DEFAULT_OCR_TOOLS;
  const skipped: Skipped[] = [...ex.skipped];
  const parts: DocumentPart[] = [];
  let text = '';
  let full = false;
  const add = (name: string, type: string, role: DocumentPart['role'], body: string, ocr: boolean) => {
    const t = body.trim();
    if (!t) return;
    if (full) {
      skipped.push({ name, reason: `ponad limit ${limits.maxTextChars} znaków tekstu` });
      return;
    }
    const sep = text ? SEPARATOR : '';
    let piece = t;
    if (text.length + sep.length + t.length > limits.maxTextChars) {
      piece = t.slice(0, Math.max(0, limits.maxTextChars - text.length - sep.length));
      full = true;
      skipped.push({ name, reason: `obcięty: ponad limit ${limits.maxTextChars} znaków tekstu` });
      if (!piece) return;
    }
    text += sep;
    parts.push({ name, type, role, start: text.length, end: text.length + piece.length, ocr });
    text += piece;
  };

  const needsOcr = ex.segments.some((s) => s.kind === 'image' || (s.kind === 'pdf' && s.pages.includes(null)));
  const problem = needsOcr ? ocrProblem(tools) : null;
  const deadline = AbortSignal.timeout(limits.ocrTimeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  let ocrPages = 0;
  /** why OCR of the next page/image will not happen, or null */
  const ocrRefusal = (): { code: DocumentErrorCode; reason: string } | null => {
    if (problem) return { code: 'ocr_unavailable', reason: `skan — OCR niedostępny: ${problem}` };
    if (opts.signal?.aborted) return { code: 'timeout', reason: 'przerwano' };
    if (deadline.aborted) return { code: 'timeout', reason: `ponad limit czasu OCR (${Math.round(limits.ocrTimeoutMs / 1000)} s, SITO_OCR_TIMEOUT)` };
    if (ocrPages >= limits.ocrMaxPages) return { code: 'too_many_pages', reason: `ponad limit OCR (${limits.ocrMaxPages} stron, SITO_OCR_MAX_PAGES)` };
    return null;
  };

  await withScratch(async (dir) => {
    for (const [i, seg] of ex.segments.entries()) {
      if (seg.kind === 'text') {
        add(seg.name, seg.type, seg.role, seg.text, false);
        continue;
      }
      if (seg.kind === 'image') {
        const refusal = ocrRefusal();
        if (refusal) {
          skipped.push({ name: seg.name, ...refusal });
          continue;
        }
        ocrPages++;
        try {
          const t = await ocrImage(seg.bytes, dir, i, signal, tools);
          if (t) add(seg.name, seg.type, seg.role, t, true);
          else skipped.push({ name: seg.name, reason: 'OCR nie odczytał tekstu', code: 'empty' });
        } catch (e) {
          skipped.push({ name: seg.name, ...(ocrRefusal() ?? { code: 'corrupt', reason: `OCR: ${(e as Error).message}` }) });
        }
        continue;
      }
      // a PDF: its text layer, and OCR for the pages without one, in page order
      const texts: string[] = [];
      let ocrUsed = false;
      let file: string | null = null;
      let refusedFrom: { page: number; code: DocumentErrorCode; reason: string } | null = null;
      const flushRefused = (to: number) => {
        if (refusedFrom) skipped.push({ name: `${seg.name}, ${pagesPl(refusedFrom.page, to)}`, reason: refusedFrom.reason, code: refusedFrom.code });
        refusedFrom = null;
      };
      for (const [k, page] of seg.pages.entries()) {
        const n = k + 1;
        if (page !== null) {
          flushRefused(n - 1);
          texts.push(page);
          continue;
        }
        const refusal = ocrRefusal();
        if (refusal) {
          if (!refusedFrom) refusedFrom = { page: n, ...refusal };
          continue;
        }
        ocrPages++;
        try {
          file ??= await writePdf(seg.bytes!, dir, i);
          const t = await ocrPdfPage(file, n, dir, signal, tools);
          if (t) {
            texts.push(t);
            ocrUsed = true;
          }
        } catch (e) {
          const after = ocrRefusal();
          if (after) refusedFrom = { page: n, ...after };
          else skipped.push({ name: `${seg.name}, ${pagesPl(n, n)}`, reason: `OCR: ${(e as Error).message}`, code: 'corrupt' });
        }
      }
      flushRefused(seg.pages.length);
      add(seg.name, seg.type, seg.role, texts.join('\n\n'), ocrUsed);
    }
  });
  return { type: ex.type, text, parts, skipped, meta: ex.meta };
}
