import { isCoverNote } from './cover-note.js';
import { DOCUMENT_TYPES, resolveKind, sniff, type DocumentKind } from './detect.js';
import { readDocx } from './docx.js';
import { parseEmail, type ParsedEmail } from './email.js';
import { asDocumentError, DocumentError } from './errors.js';
import { parseMsg } from './msg.js';
import { readOdt } from './odt.js';
import { readPdf } from './pdf.js';
import { decodeText } from './plain-text.js';
import type { DocumentLimits, DocumentMeta, Extraction, PartRole, Segment, Skipped } from './types.js';

interface Ctx {
  limits: DocumentLimits;
  attachments: number;
  segments: Segment[];
  skipped: Skipped[];
}

const BODY = 'treść wiadomości';
const join = (outer: string | null, inner: string) => (outer ? `${outer} › ${inner}` : inner);

/**
 * Reads a document into segments (text, or pages/images for OCR) without doing any OCR: the
 * pure, CPU-bound half of reading a document, run in a worker (isolate.ts). The top-level
 * document's failure is thrown as a DocumentError; an attachment's is listed in `skipped`.
 */
export async function extractDocument(bytes: Uint8Array, contentType: string | null | undefined, name: string | null, limits: DocumentLimits, charset?: string | null): Promise<Extraction> {
  if (bytes.byteLength === 0) throw new DocumentError('empty', 'the document is empty');
  if (bytes.byteLength > limits.maxBytes) throw new DocumentError('too_large', `the document is ${bytes.byteLength} bytes, more than the limit of ${limits.maxBytes} (SITO_DOCUMENT_LIMIT)`);
  const kind = resolveKind(bytes, contentType, name);
  const ctx: Ctx = { limits, attachments: 0, segments: [], skipped: [] };
  let meta: DocumentMeta = {};
  try {
    if (kind === 'email' || kind === 'msg') {
      meta = await readMessage(bytes, kind, null, name ?? (kind === 'msg' ? 'wiadomość.msg' : 'wiadomość'), 0, ctx);
    } else {
      await readLeaf(bytes, kind, name ?? defaultName(kind), 'body', ctx, charset);
    }
  } catch (e) {
    throw asDocumentError(e, name ?? 'the document');
  }
  return { type: DOCUMENT_TYPES[kind], meta, segments: ctx.segments, skipped: ctx.skipped };
}

const defaultName = (kind: DocumentKind) => ({ email: 'wiadomość', msg: 'wiadomość.msg', pdf: 'dokument.pdf', docx: 'dokument.docx', odt: 'dokument.odt', text: 'tekst', png: 'obraz.png', jpeg: 'obraz.jpg', tiff: 'obraz.tif' })[kind];

/** A document that is not a message: its text, or what OCR must read. */
async function readLeaf(bytes: Uint8Array, kind: Exclude<DocumentKind, 'email' | 'msg'>, name: string, role: PartRole, ctx: Ctx, charset?: string | null) {
  const type = DOCUMENT_TYPES[kind];
  switch (kind) {
    case 'text': {
      const text = decodeText(bytes, charset).replace(/\r\n?/g, '\n').trim();
      if (text) ctx.segments.push({ kind: 'text', name, type, role, text });
      else ctx.skipped.push({ name, reason: 'pusty plik tekstowy' });
      return;
    }
    case 'pdf': {
      const pages = await readPdf(bytes, name, ctx.limits);
      if (pages.length === 0) {
        ctx.skipped.push({ name, reason: 'PDF bez stron' });
        return;
      }
      ctx.segments.push({ kind: 'pdf', name, type, role, pages, bytes: pages.includes(null) ? bytes : null });
      return;
    }
    case 'docx':
    case 'odt': {
      const text = kind === 'docx' ? await readDocx(bytes, name, ctx.limits) : readOdt(bytes, name, ctx.limits);
      if (text) ctx.segments.push({ kind: 'text', name, type, role, text });
      else ctx.skipped.push({ name, reason: 'dokument bez tekstu' });
      return;
    }
    case 'png':
    case 'jpeg':
    case 'tiff':
      ctx.segments.push({ kind: 'image', name, type, role, bytes });
      return;
  }
}

/** An e-mail or Outlook message: body and attachments, attached messages one level down. Returns its headers. */
async function readMessage(bytes: Uint8Array, kind: 'email' | 'msg', outer: string | null, name: string, depth: number, ctx: Ctx): Promise<DocumentMeta> {
  if (depth > ctx.limits.maxNesting) throw new DocumentError('too_deep', `${join(outer, name)}: e-mails attached inside e-mails deeper than ${ctx.limits.maxNesting} levels`);
  const parsed: ParsedEmail = kind === 'email' ? await parseEmail(bytes, join(outer, name), ctx.limits.maxNesting) : parseMsg(bytes, join(outer, name));
  const prefix = depth === 0 ? null : join(outer, name);
  // the body is placed first; whether it is only a cover note is known once the attachments are read
  const bodyAt = ctx.segments.length;
  const body: Segment | null = parsed.body ? { kind: 'text', name: join(prefix, BODY), type: 'text/plain', role: 'body', text: parsed.body } : null;
  if (body) ctx.segments.push(body);
  parsed.attachments.forEach((a, i) => void (a.name ??= `załącznik-${i + 1}`));
  for (const a of parsed.attachments) {
    const aName = join(prefix, a.name!);
    if (a.related && a.type.startsWith('image/')) {
      ctx.skipped.push({ name: aName, reason: 'obraz osadzony w treści (np. logo), nie załącznik' });
      continue;
    }
    if (++ctx.attachments > ctx.limits.maxAttachments) {
      ctx.skipped.push({ name: aName, reason: `ponad limit ${ctx.limits.maxAttachments} załączników` });
      continue;
    }
    const before = ctx.segments.length;
    try {
      if (a.type === 'application/x-unreadable') throw new DocumentError('corrupt', 'the attachment cannot be taken out of the message');
      const aKind = attachmentKind(a.bytes, a.type, a.name!);
      if (aKind === 'email' || aKind === 'msg') await readMessage(a.bytes, aKind, prefix, a.name!, depth + 1, ctx);
      else await readLeaf(a.bytes, aKind, aName, 'attachment', ctx);
    } catch (e) {
      ctx.segments.length = before;
      const err = asDocumentError(e, aName);
      if (err.code === 'too_deep' && depth > 0) throw err;
      ctx.skipped.push({ name: aName, reason: err.message, code: err.code });
    }
  }
  const attachmentChars = ctx.segments.slice(bodyAt + (body ? 1 : 0)).reduce((n, s) => n + segmentChars(s), 0);
  if (body && isCoverNote(parsed.body, attachmentChars)) ctx.segments[bodyAt] = { ...body, role: 'cover_note' };
  else if (body && depth > 0) ctx.segments[bodyAt] = { ...body, role: 'attachment' };
  return parsed.meta;
}

/** Characters a segment holds, a page still to be read by OCR counted as 1500. */
const segmentChars = (s: Segment) => (s.kind === 'text' ? s.text.length : s.kind === 'image' ? 1500 : s.pages.reduce((n, p) => n + (p === null ? 1500 : p.length), 0));

/**
 * What an attachment is: mail programs label attachments loosely, so the bytes decide; text is
 * read only when it is labelled or named as plain text (or an e-mail), and an OLE file only as .msg.
 */
function attachmentKind(bytes: Uint8Array, type: string, name: string): DocumentKind {
  const found = sniff(bytes);
  const ext = name.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';
  if (found === 'ole') {
    if (ext === 'msg' || type === DOCUMENT_TYPES.msg) return 'msg';
    throw new DocumentError('unsupported_type', `${name}: an Office 97–2003 file (${ext || type}), not read`);
  }
  if (found === 'text' || found === 'email') {
    if (type === 'message/rfc822' || ext === 'eml') return 'email';
    if (type === 'text/plain' || ext === 'txt' || (!ext && type === 'application/octet-stream')) return 'text';
    throw new DocumentError('unsupported_type', `${name}: ${type} is not read`);
  }
  if (found === null || found === 'zip') throw new DocumentError('unsupported_type', `${name}: ${found === 'zip' ? 'a zip archive' : type}, not read`);
  return found;
}
