import { unzipSync } from 'fflate';
import { DocumentError } from './errors.js';

/** The document types Sito reads, by their media types. */
export const DOCUMENT_TYPES = {
  email: 'message/rfc822',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  msg: 'application/vnd.ms-outlook',
  text: 'text/plain',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
} as const;
export type DocumentKind = keyof typeof DOCUMENT_TYPES;

/** Media types accepted as a request body (besides multipart/form-data). */
export const ACCEPTED_MEDIA_TYPES: readonly string[] = [...Object.values(DOCUMENT_TYPES), 'image/jpg', 'image/pjpeg', 'application/x-pdf', 'application/octet-stream'];

const ALIASES: Record<string, DocumentKind> = {
  'message/rfc822': 'email',
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  [DOCUMENT_TYPES.docx]: 'docx',
  [DOCUMENT_TYPES.odt]: 'odt',
  'application/vnd.ms-outlook': 'msg',
  'application/x-msg': 'msg',
  'text/plain': 'text',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/tiff': 'tiff',
};

const EXTENSIONS: Record<string, DocumentKind> = {
  eml: 'email',
  pdf: 'pdf',
  docx: 'docx',
  odt: 'odt',
  msg: 'msg',
  txt: 'text',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  tif: 'tiff',
  tiff: 'tiff',
};

/** Types a caller may send when it does not know: the bytes decide. */
const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

export const mediaType = (contentType: string | null | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);

/** What the bytes are, by their signature; null when they look like none of the types read. */
export function sniff(b: Uint8Array): DocumentKind | 'zip' | 'ole' | null {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) {
    if (head.slice(30, 38) === 'mimetype' && head.includes('application/vnd.oasis.opendocument.text')) return 'odt';
    let names: string[] = [];
    try {
      unzipSync(b, { filter: (f) => (names.push(f.name), false) });
    } catch {
      names = [];
    }
    if (names.includes('word/document.xml')) return 'docx';
    if (names.includes('content.xml') && names.includes('mimetype')) return 'odt';
    return 'zip';
  }
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  const sample = b.subarray(0, 8192);
  if (sample.includes(0) && !(sample[0] === 0xff && sample[1] === 0xfe) && !(sample[0] === 0xfe && sample[1] === 0xff)) return null;
  // an e-mail starts with header lines, one of them From, Received, MIME-Version, Message-ID or Return-Path
  const start = head.replace(/^\ufeff/, '');
  if (/^[!-9;-~]+:[^\n]*\r?\n/.test(start) && /^(from|received|mime-version|message-id|return-path|delivered-to|date|subject):/im.test(start)) return 'email';
  return 'text';
}

const KIND_PL: Record<DocumentKind | 'zip' | 'ole', string> = {
  email: 'an e-mail',
  pdf: 'a PDF',
  docx: 'a DOCX document',
  odt: 'an ODT document',
  msg: 'an Outlook message',
  text: 'plain text',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  tiff: 'a TIFF image',
  zip: 'a zip archive',
  ole: 'an Office 97–2003 file',
};

/**
 * The kind to read a document as: the declared media type (or, when generic, the file name's
 * extension), checked against the bytes. A declared type the bytes contradict is refused
 * (`type_mismatch`); a type Sito does not read is `unsupported_type`.
 */
export function resolveKind(bytes: Uint8Array, contentType: string | null | undefined, name?: string | null): DocumentKind {
  const declaredType = mediaType(contentType);
  const ext = (name ?? '').toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';
  let declared: DocumentKind | undefined = ALIASES[declaredType];
  if (!declared && !GENERIC.has(declaredType)) {
    throw new DocumentError('unsupported_type', `content-type ${declaredType} is not read; send application/json, a document (${Object.values(DOCUMENT_TYPES).join(', ')}) or multipart/form-data with the field "file"`);
  }
  declared ??= EXTENSIONS[ext];
  const found = sniff(bytes);
  if (!declared) {
    if (found === null || found === 'zip' || found === 'ole') {
      if (found === 'ole') return 'msg';
      throw new DocumentError('unsupported_type', `${name ?? 'the document'} is ${found ? KIND_PL[found] : 'of a type Sito does not read'}; send an e-mail, PDF, DOCX, ODT, Outlook .msg, plain text or an image`);
    }
    return found;
  }
  if (declared === 'msg' && found === 'ole') return 'msg';
  if (declared === 'email' && found === 'text') return 'email';
  if (declared === 'text' && found === 'email') return 'text';
  if (found !== declared) {
    throw new DocumentError('type_mismatch', `${name ? `${name}: ` : ''}declared as ${DOCUMENT_TYPES[declared]}, but the bytes are ${found ? KIND_PL[found] : 'of no type Sito reads'}`);
  }
  return declared;
}
