/** Shapes shared by the document extractors, the OCR step and the assembly of the text. */

/** Limits every extraction runs under (configuration: README, "Documents as offices receive them"). */
export interface DocumentLimits {
  /** largest document, bytes */
  maxBytes: number;
  /** largest total size a zip-based document (DOCX, ODT) may expand to, bytes */
  maxExpandedBytes: number;
  /** deepest nesting of MIME multiparts and attached e-mails */
  maxNesting: number;
  /** most attachments read from one e-mail (all levels) */
  maxAttachments: number;
  /** most pages OCR reads from one document (all scans together) */
  ocrMaxPages: number;
  /** OCR time for one document, ms */
  ocrTimeoutMs: number;
  /** text-layer PDF pages read from one PDF */
  maxPdfPages: number;
  /** characters of text kept for scoring */
  maxTextChars: number;
}

export const DEFAULT_LIMITS: DocumentLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxExpandedBytes: 64 * 1024 * 1024,
  maxNesting: 8,
  maxAttachments: 50,
  ocrMaxPages: 20,
  ocrTimeoutMs: 60_000,
  maxPdfPages: 1000,
  maxTextChars: 1_000_000,
};

/** What a part of the document is to the petition. */
export type PartRole = 'body' | 'cover_note' | 'attachment';

/** E-mail headers that become the petition's sender, subject and date. */
export interface DocumentMeta {
  subject?: string;
  sender?: { name?: string; email?: string };
  received_at?: string;
}

/**
 * One piece the extractors found, before OCR: text they read, or pages/images OCR must read.
 * `pages` of a PDF: the text layer per page, `null` where the page has none (a scan).
 */
export type Segment =
  | { kind: 'text'; name: string; type: string; role: PartRole; text: string }
  | { kind: 'pdf'; name: string; type: string; role: PartRole; pages: Array<string | null>; bytes: Uint8Array | null }
  | { kind: 'image'; name: string; type: string; role: PartRole; bytes: Uint8Array };

export interface Skipped {
  name: string;
  reason: string;
  /** the error code when the part could not be read (errors.ts) */
  code?: string;
}

/** What the extractors hand back (from the worker): no OCR done yet. */
export interface Extraction {
  /** the type the document was read as (sniffed when the caller sent none or a generic one) */
  type: string;
  meta: DocumentMeta;
  segments: Segment[];
  skipped: Skipped[];
}

export interface DocumentPart {
  name: string;
  /** media type of the part (text/plain for an e-mail body) */
  type: string;
  role: PartRole;
  /** UTF-16 offsets into `text` */
  start: number;
  end: number;
  ocr: boolean;
}

/** The answer's `document`: the text that was scored, and where each part of it came from. */
export interface ReadDocument {
  type: string;
  text: string;
  parts: DocumentPart[];
  skipped: Skipped[];
  meta: DocumentMeta;
}
